// The webview's side of the channel to its panel, typed by the messages each view declares.

interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

export interface Channel<ToView, FromView, State> {
  post(message: FromView): void;
  onMessage(handler: (message: ToView) => void): void;
  getState(): State | undefined;
  setState(state: State): void;
}

export function channel<ToView, FromView, State>(): Channel<ToView, FromView, State> {
  // VS Code allows one acquisition per page load.
  const api = acquireVsCodeApi<State>();
  return {
    post: (message) => api.postMessage(message),
    onMessage: (handler) => window.addEventListener("message", (event: MessageEvent<ToView>) => handler(event.data)),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
  };
}
