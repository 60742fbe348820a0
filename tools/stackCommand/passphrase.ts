/**
 * The passphrase that encrypts a stack's secrets (the file backend's passphrase provider):
 * from PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE, which the CLI reads itself,
 * or asked on the terminal without echo and handed to the CLI in its environment only.
 */
import * as readline from "readline";

export const PASSPHRASE_HINT =
  "set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE, or run the command in a terminal to be asked";

export function passphraseFromEnvironment(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.PULUMI_CONFIG_PASSPHRASE !== undefined || (env.PULUMI_CONFIG_PASSPHRASE_FILE ?? "") !== "";
}

/** Asks on the terminal; the typed characters are not shown. */
export function askPassphrase(stack: string, input = process.stdin, output = process.stderr): Promise<string> {
  return new Promise((resolve, reject) => {
    const prompt = `Passphrase for the secrets of stack ${stack}: `;
    const rl = readline.createInterface({ input, output, terminal: true });
    const write = output.write.bind(output);
    let prompted = false;
    // Mute the echo of what is typed, after the prompt itself is shown.
    (output as { write: typeof output.write }).write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (!prompted) return write(chunk, ...(rest as []));
      return true;
    }) as typeof output.write;
    rl.question(prompt, (answer) => {
      (output as { write: typeof output.write }).write = write;
      write("\n");
      rl.close();
      resolve(answer);
    });
    prompted = true;
    rl.on("SIGINT", () => {
      (output as { write: typeof output.write }).write = write;
      rl.close();
      reject(new Error("no passphrase given"));
    });
  });
}
