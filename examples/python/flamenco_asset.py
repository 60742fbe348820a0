"""A Flamenco landscape as a Dagster asset.

Materializing the asset deploys the landscape with `pulumi up` through Pulumi's Automation API:
the FlamencoLandscape component of this project, from its generated Python SDK
(pulumi_flamenco_landscape), with the landscape's settings as Dagster config. Only the pulumi CLI
and the component's provider plugin (pulumi-resource-flamenco-landscape on PATH) are needed.
"""

import os
from typing import Optional

import dagster
import pulumi
import pulumi_flamenco_landscape as flamenco
from pulumi import automation as auto


class FlamencoLandscapeConfig(dagster.Config):
    """The landscape's settings: the FlamencoLandscape arguments a studio sets most."""

    stack: str = "dev"
    project_dir: str = "."
    landscapes_root: str = "~/.openstudiolandscapes/landscapes"
    manager_port_host: int = 8484
    manager_bind_address: str = "0.0.0.0"
    workers: int = 1
    flamenco_release_url: Optional[str] = None
    flamenco_release_sha256: Optional[str] = None
    worker_packages: list[str] = []


def landscape_stack(config: FlamencoLandscapeConfig) -> auto.Stack:
    """The landscape's stack, in a file backend under project_dir; created when missing."""

    def program() -> None:
        landscape = flamenco.FlamencoLandscape(
            config.stack,
            flamenco.FlamencoLandscapeArgs(
                landscapes_root=config.landscapes_root,
                manager_port_host=config.manager_port_host,
                manager_bind_address=config.manager_bind_address,
                flamenco_release_url=config.flamenco_release_url,
                flamenco_release_sha256=config.flamenco_release_sha256,
                worker_packages=config.worker_packages,
                workers=[flamenco.RenderHostArgs(name="local", count=config.workers)],
            ),
        )
        pulumi.export("managerLocalUrl", landscape.manager_local_url)
        pulumi.export("workers", landscape.workers)

    project_dir = os.path.abspath(config.project_dir)
    state = os.path.join(project_dir, ".pulumi-state")
    os.makedirs(state, exist_ok=True)
    return auto.create_or_select_stack(
        stack_name=config.stack,
        project_name="studio-flamenco",
        program=program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=project_dir,
            env_vars={"PULUMI_BACKEND_URL": f"file://{state}"},
        ),
    )


@dagster.asset
def flamenco_landscape(
    context: dagster.AssetExecutionContext, config: FlamencoLandscapeConfig
) -> dagster.MaterializeResult:
    """Deploys or updates the landscape; its manager URL and workers are the asset's metadata."""
    result = landscape_stack(config).up(on_output=context.log.info)
    return dagster.MaterializeResult(
        metadata={
            "managerLocalUrl": result.outputs["managerLocalUrl"].value,
            "workers": dagster.MetadataValue.json(result.outputs["workers"].value),
            "changes": dagster.MetadataValue.json(result.summary.resource_changes or {}),
        }
    )


defs = dagster.Definitions(assets=[flamenco_landscape])
