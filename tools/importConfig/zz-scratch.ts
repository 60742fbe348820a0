import { parseSeedConfig } from "./seedFile";
for (const t of ["a: 3.10\nb: yes\nenv:\n  X: 1\n", "a: [1,\n", "a: 1\na: 2\n", "- 1\n", "", "# only\n", "1: x\n", "a: &x 1\nb: *x\n"]) {
  try { console.log(JSON.stringify(parseSeedConfig(t, "/s/config.yml"))); } catch (e) { console.log((e as Error).message); }
}
