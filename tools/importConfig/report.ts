import { PROJECT, Settings } from "../../components/config/settings";
import { managerContainerName, managerLocalUrl } from "../../components/render/names";
import { describeValue } from "../../components/config/values";
import type { ReportRow, RowKind } from "./mapping";
import type { StackChange } from "./stackFile";

export type StackFileOutcome =
  "created" | "updated" | "unchanged" | "would create" | "would update" | "would leave unchanged";

export interface ReportInput {
  seedFile: string;
  storeSource: string;
  stack: string;
  stackSource: string;
  stackFile: string;
  outcome: StackFileOutcome;
  backup?: string;
  rows: readonly ReportRow[];
  changes: readonly StackChange[];
  attention: readonly string[];
  settings: Settings;
  pendingSha256: boolean;
}

const MARKERS: Record<RowKind, string> = {
  imported: "[imported] ",
  default: "[default]  ",
  "not-applicable": "[n/a]      ",
  attention: "[attention]",
};

function changeText(change: StackChange): string {
  switch (change.status) {
    case "added":
      return "new";
    case "unchanged":
      return change.note ? `unchanged: ${change.note}` : "unchanged";
    case "changed":
      return `was ${describeValue(change.previous)}`;
    case "removed":
      return "removed";
  }
}

function rowLines(row: ReportRow, changes: readonly StackChange[]): string[] {
  const value = row.seedValue === undefined ? "(not in the store)" : `= ${describeValue(row.seedValue)}`;
  const statuses = row.stackKeys
    .map((key) => changes.find((change) => change.key === key))
    .filter((change): change is StackChange => change !== undefined)
    .map(changeText);
  const unique = [...new Set(statuses)];
  const suffix = unique.length > 0 ? ` [${unique.join("; ")}]` : "";
  const prefix =
    row.stackKeys.length > 0
      ? `→ ${PROJECT}:`
      : row.kind === "imported"
        ? "→ "
        : row.kind === "not-applicable"
          ? "not applicable: "
          : "";
  return [`  ${MARKERS[row.kind]} ${row.seedKey} ${value}`, `                ${prefix}${row.text}${suffix}`];
}

function resultLines(settings: Settings, pendingSha256: boolean): string[] {
  if (!settings.enabled) {
    return [`  landscape ${settings.landscape}: enabled is false, so "pulumi up" declares no Docker resources for it.`];
  }
  const release = settings.release;
  return [
    `  landscape:        ${settings.landscape}`,
    `  container:        ${managerContainerName(settings.landscape)} (restart ${settings.restart})`,
    `  port:             ${settings.ports.bindAddress}:${settings.ports.host} → ${settings.ports.container} in the container (${managerLocalUrl(settings)})`,
    `  Flamenco:         ${release.version} from ${release.url}` +
      (pendingSha256
        ? " (sha256 MISSING)"
        : release.verification.kind === "sha256"
          ? " (pinned sha256)"
          : " (published sha256)"),
    `  landscapes root:  ${settings.landscapesRoot}`,
    `  storage:          ${settings.storage.manager}`,
    `  shared storage:   ${settings.storage.shared}`,
    `  network:          ${settings.network.name} (alias ${settings.network.alias}.${settings.network.domain})`,
  ];
}

/** The report printed at the end of an import: every seed key, what it became, what needs attention. */
export function renderReport(input: ReportInput): string {
  const lines: string[] = [];
  const dryRun = input.outcome.startsWith("would");
  lines.push(`OpenStudioLandscapes config import${dryRun ? " (dry run: nothing was written)" : ""}`);
  lines.push(`  store file:  ${input.seedFile} (store from ${input.storeSource})`);
  lines.push(`  stack:       ${input.stack} (from ${input.stackSource})`);
  lines.push(
    `  stack file:  ${input.stackFile}: ${input.outcome}${input.backup ? `; the previous version is kept as ${input.backup}` : ""}`,
  );
  lines.push("");
  lines.push("Seed keys and what they became:");
  if (input.rows.length === 0) lines.push("  (the store file sets no keys)");
  for (const row of input.rows) lines.push(...rowLines(row, input.changes));

  const linked = new Set(input.rows.flatMap((row) => row.stackKeys));
  const other = input.changes.filter((change) => !linked.has(change.key) && change.status !== "unchanged");
  if (other.length > 0) {
    lines.push("");
    lines.push("Other changes to the stack file:");
    for (const change of other) {
      lines.push(`  ${PROJECT}:${change.key}: ${change.status}${change.note ? ` (${change.note})` : ""}`);
    }
  }

  lines.push("");
  if (input.attention.length === 0) {
    lines.push("Needs your attention: nothing.");
  } else {
    lines.push(`Needs your attention (${input.attention.length}):`);
    input.attention.forEach((item, index) => lines.push(`  ${index + 1}. ${item}`));
  }

  lines.push("");
  lines.push('Checked with the program\'s own schema, as "pulumi up" will check it. The stack deploys:');
  lines.push(...resultLines(input.settings, input.pendingSha256));
  lines.push("");
  if (input.pendingSha256) {
    lines.push(
      'NOT READY for "pulumi up" yet: the release url has no sha256 (see above). The import wrote everything else and exits 0,',
      "because that is the only problem; pulumi up stops with a clear error until the sha256 is set.",
    );
  } else {
    lines.push(`Next: npm run preview -- ${input.stack}   (then npm run up -- ${input.stack})`);
  }
  return lines.join("\n") + "\n";
}
