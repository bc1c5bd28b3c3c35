// Starts `spec lsp` (the `spec.path` setting) for .pspec and .policy files.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const command = vscode.workspace.getConfiguration("spec").get<string>("path") || "spec";
  return {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp"], transport: TransportKind.stdio },
  };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "pspec" },
      { scheme: "file", language: "spec-policy" },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.pspec,*.policy,spec.toml}"),
    },
  };
  client = new LanguageClient("spec", "spec language server", serverOptions(), clientOptions);
  try {
    await client.start();
  } catch (e) {
    void vscode.window.showErrorMessage(
      `spec: could not start \`${vscode.workspace.getConfiguration("spec").get<string>("path")} lsp\` (set \`spec.path\`): ${e}`,
    );
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  await start(context);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("spec.path")) {
        await client?.stop();
        await start(context);
      }
    }),
  );
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
