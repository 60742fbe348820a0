/**
 * A component hands its `dependsOn` on to the children that must wait, with their own
 * dependencies added, in whichever form Pulumi accepts the option.
 */
import * as pulumi from "@pulumi/pulumi";
import { withDependencies } from "../../components/dependencies";

/** Stand-ins that Pulumi's own check takes for resources. */
function resource(name: string): pulumi.Resource {
  return { __pulumiResource: true, name } as unknown as pulumi.Resource;
}

function names(dependencies: unknown): string[] {
  return (dependencies as { name: string }[]).map((dependency) => dependency.name);
}

describe("withDependencies", () => {
  const manager = resource("manager");
  const network = resource("network");
  const home = resource("home");

  it("adds to a list, a single resource, or nothing", () => {
    expect(names(withDependencies([manager, network], home))).toEqual(["manager", "network", "home"]);
    expect(names(withDependencies(manager, home))).toEqual(["manager", "home"]);
    expect(names(withDependencies(undefined, home))).toEqual(["home"]);
  });

  it("adds to a promised list", async () => {
    const extended = withDependencies(Promise.resolve([manager]), home);
    const settled = await new Promise((resolve) => (extended as pulumi.Output<unknown>).apply(resolve));
    expect(names(settled)).toEqual(["manager", "home"]);
  });
});
