// @ts-check
"use strict";

/**
 * The value of an environment variable the program's command sets, or a clear error naming it.
 * @param {string} name
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string}
 */
function requiredVariable(name, env = process.env) {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

module.exports = { requiredVariable };
