/**
 * The program tests, one module per topic in suites/, run as this one jest test file: the
 * Pulumi SDK and the program then load once for all of them, where each test file would load
 * them again (about a second of CPU time each, on a suite that must finish in 20 s on two cores).
 *
 * One topic alone: npx jest tests/program -t "<its describe name>".
 */
import "./suites/landscape";
import "./suites/workers";
import "./suites/blender";
import "./suites/importRoundTrip";
import "./suites/readStackSettings";
