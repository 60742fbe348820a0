/**
 * The component package: FlamencoLandscape and its arguments, for programs in any Pulumi
 * language (the schema is read from these declarations). index.ts is the stack program; this
 * file declares nothing when loaded.
 */
export { FlamencoLandscape } from "./components/flamencoLandscape";
export type {
  FlamencoLandscapeArgs,
  FlamencoVariable,
  FlamencoVariableValue,
  LandscapeNetwork,
  ManagerSettings,
  MqttClient,
  RenderHost,
  ShamanGarbageCollect,
  ShamanSettings,
} from "./components/flamencoLandscapeArgs";
