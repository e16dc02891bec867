/** What the fuzzed runtime's process and the harness tell each other over IPC. */
export type RuntimeMessage =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'settled' }
  /** A task token Baton announced (a provisioning or a move waits for it): cases answer it. */
  | { readonly type: 'task-token'; readonly token: string }
  | {
      readonly type: 'crashed';
      readonly kind: 'unhandledRejection' | 'uncaughtException';
      readonly name: string;
      readonly message: string;
      readonly stack: string;
    };

export type ParentMessage = { readonly type: 'settle' } | { readonly type: 'close' };
