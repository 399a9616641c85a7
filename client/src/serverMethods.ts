// Promptweight's own LSP methods, called by their generated names with their generated payload
// types, so that a method renamed or reshaped in shared_schemas/ fails the type check here.
import { BaseLanguageClient, Disposable, ExecuteCommandRequest } from "vscode-languageclient/node";
import { METHODS, MethodPayloads } from "./generated/protocol";

type Method = (typeof METHODS)[keyof typeof METHODS];
type NameOf<Kind extends Method["kind"]> = Extract<Method, { kind: Kind }>["name"];
type Params<Name extends keyof MethodPayloads> = MethodPayloads[Name]["params"];
type Result<Name extends keyof MethodPayloads> = MethodPayloads[Name]["result"];

export function sendRequest<Name extends NameOf<"request">>(
  client: BaseLanguageClient,
  method: Name,
  params: Params<Name>,
): Promise<Result<Name>> {
  return client.sendRequest(method, params);
}

export function onNotification<Name extends NameOf<"notification">>(
  client: BaseLanguageClient,
  method: Name,
  handler: (params: Params<Name>) => void,
): Disposable {
  return client.onNotification(method, handler);
}

/** The server's commands run through `workspace/executeCommand`, with one argument. */
export function executeCommand<Name extends NameOf<"command">>(
  client: BaseLanguageClient,
  command: Name,
  params: Params<Name>,
): Promise<Result<Name>> {
  return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [params] });
}
