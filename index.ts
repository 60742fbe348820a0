import { landscapeStack } from "./components/landscapeStack";

export = landscapeStack();
