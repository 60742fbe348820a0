import { ConfigError } from "../../components/config/errors";
import { parseSettings, PROJECT } from "../../components/config/settings";

const CONTEXT = { stack: "dev", homeDirectory: "/home/artist" };

function messageOf(raw: Record<string, unknown>): string {
  try {
    parseSettings(raw, CONTEXT);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(raw)}`);
}

describe("backupsToKeep", () => {
  test("keeps five backups unless set", () => {
    expect(parseSettings({}, CONTEXT).backupsToKeep).toBe(5);
    expect(parseSettings({ backupsToKeep: 2 }, CONTEXT).backupsToKeep).toBe(2);
  });

  test.each([0, -1, 1.5, "3", null])("refuses %p, naming the key, the value and what it accepts", (value) => {
    const message = messageOf({ backupsToKeep: value });
    const line = message.split("\n").find((candidate) => candidate.includes(`${PROJECT}:backupsToKeep:`));
    expect(line).toBeDefined();
    expect(line).toContain(`got ${JSON.stringify(value)}`);
    expect(line).toContain("a whole number of database backups to keep, from 1 upwards");
  });

  test("is reported in the same error as other bad keys", () => {
    const message = messageOf({ backupsToKeep: 0, managerPortHost: 0 });
    expect(message).toContain(`${PROJECT}:backupsToKeep:`);
    expect(message).toContain(`${PROJECT}:managerPortHost:`);
  });
});
