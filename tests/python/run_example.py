"""Runs examples/python/flamenco_asset.py for the engine tests: materializes the asset (up), or
previews, destroys, or deploys with raw arguments; prints one JSON line with the result.

    python run_example.py materialize|preview|destroy <config json>
    python run_example.py up-args <stack> <project dir> <FlamencoLandscapeArgs json>
"""

import json
import os
import sys

import dagster
import pulumi_flamenco_landscape as flamenco
from pulumi import automation as auto

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python"))
from flamenco_asset import FlamencoLandscapeConfig, flamenco_landscape, landscape_stack  # noqa: E402


def main() -> None:
    action = sys.argv[1]
    if action == "up-args":
        stack_name, project_dir, arguments = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])

        def program() -> None:
            flamenco.FlamencoLandscape(stack_name, flamenco.FlamencoLandscapeArgs(**arguments))

        stack = auto.create_or_select_stack(
            stack_name=stack_name,
            project_name="studio-flamenco",
            program=program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=project_dir,
                env_vars={"PULUMI_BACKEND_URL": f"file://{os.path.join(project_dir, '.pulumi-state')}"},
            ),
        )
        try:
            stack.up()
            print(json.dumps({"ok": True}))
        except auto.CommandError as error:
            print(json.dumps({"ok": False, "error": str(error)}))
        return

    config_values = json.loads(sys.argv[2])
    if action == "materialize":
        result = dagster.materialize(
            [flamenco_landscape], run_config={"ops": {"flamenco_landscape": {"config": config_values}}}
        )
        materialization = result.asset_materializations_for_node("flamenco_landscape")[0]
        metadata = {key: value.value for key, value in materialization.metadata.items()}
        print(json.dumps({"success": result.success, "metadata": metadata}))
    elif action == "preview":
        preview = landscape_stack(FlamencoLandscapeConfig(**config_values)).preview()
        print(json.dumps({"changes": preview.change_summary}))
    elif action == "destroy":
        landscape_stack(FlamencoLandscapeConfig(**config_values)).destroy()
        print(json.dumps({"destroyed": True}))
    else:
        raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    main()
