import * as pulumi from "@pulumi/pulumi";

type DependsOn = pulumi.ResourceOptions["dependsOn"];
type Dependencies = pulumi.Input<pulumi.Resource> | pulumi.Input<pulumi.Resource>[];

/**
 * A component's `dependsOn` option, extended for one of its children. Pulumi does not pass a
 * component's dependencies on to its children, so a component that must wait hands them on.
 */
export function withDependencies(dependsOn: DependsOn, ...more: pulumi.Input<pulumi.Resource>[]): DependsOn {
  const extend = (inner: Dependencies): pulumi.Input<pulumi.Resource>[] => [
    ...(Array.isArray(inner) ? inner : [inner]),
    ...more,
  ];
  if (dependsOn === undefined) return more;
  if (Array.isArray(dependsOn) || pulumi.Resource.isInstance(dependsOn)) return extend(dependsOn);
  return pulumi.output(dependsOn as pulumi.Input<Dependencies>).apply((inner) => extend(inner as Dependencies));
}
