import * as net from "net";

/** A DNS label: what Docker accepts as a network alias and hostname part. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function isDnsName(value: string): boolean {
  return value.length <= 253 && value.split(".").every((label) => DNS_LABEL.test(label));
}

export function isIpLiteral(value: string): boolean {
  return net.isIP(value) !== 0;
}

/** Docker object names (containers, networks): `[a-zA-Z0-9][a-zA-Z0-9_.-]+`. */
export const DOCKER_OBJECT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
