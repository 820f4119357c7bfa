// Lists, creates, gets and deletes a Vercel user token through the
// vercel-user-tokens service, then shows what a caller gets for a token that
// does not exist (NOT_FOUND) and for a malformed id (INVALID_ARGUMENT).
//
//   cd client/node && npm ci      # once: the package's dependencies
//   VUT_ADDRESS=localhost:50051 VUT_PLAINTEXT=1 VERCEL_TOKEN=... \
//     VERCEL_TEAM_ID=team_... node example/example.js
//
// It loads the package by its name, which resolves to client/node itself
// (package self-reference) or to the installed package in a project.
//
// Reads are retried when the server says how long to wait (RetryInfo),
// within the 10 s deadline. Exits 1, with the error's details on stderr,
// when a step that should work fails.
"use strict";

const {
  UserTokensClient,
  UserTokensError,
} = require("@vercel-user-tokens/client");

// Prints what a failed call carries: its status and decoded details.
function describe(error, print) {
  print(`  code: ${error.codeName} (${error.code})`);
  print(`  message: ${error.statusMessage}`);
  if (error.errorInfo) {
    print(`  error_info: reason=${error.reason} domain=${error.errorInfo.domain}`);
    for (const [key, value] of Object.entries(error.errorMetadata).sort()) {
      print(`  error_info.metadata: ${key}=${value}`);
    }
  }
  print(error.retryDelayMs === undefined
    ? "  retry_info: none"
    : `  retry_info: retry after ${error.retryDelayMs / 1000}s`);
  for (const violation of error.fieldViolations) {
    print(`  bad_request: ${violation.field}: ${violation.description}`);
  }
}

// Runs a call that is expected to fail and prints its error on stdout.
async function showFailure(what, promise) {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof UserTokensError)) {
      throw error;
    }
    console.log(`${what} failed:`);
    describe(error, console.log);
    return;
  }
  throw new Error(`${what} unexpectedly succeeded`);
}

async function main() {
  // TLS is the default; VUT_PLAINTEXT=1 asks for plaintext, as to a server
  // inside the cluster or `make demo`.
  const client = new UserTokensClient(process.env.VUT_ADDRESS, {
    plaintext: process.env.VUT_PLAINTEXT === "1",
    token: process.env.VERCEL_TOKEN,
    deadlineMs: 10_000,
    retry: true,
  });
  const teamId = process.env.VERCEL_TEAM_ID;
  let step = "ListAuthTokens";
  try {
    const listed = await client.listAuthTokens();
    const names = listed.tokens.map((token) => token.name).join(", ");
    console.log(`listed ${listed.tokens.length} token(s): ${names}`);

    step = "CreateAuthToken";
    const created = await client.createAuthToken({ teamId, name: "example-node" });
    const id = created.token.id;
    // created.bearerToken is the new token's secret: Vercel returns it only
    // this once, so store it safely (never log it).
    console.log(`created token ${id} named ${created.token.name}`);

    step = "GetAuthToken";
    const { token } = await client.getAuthToken({ tokenId: id });
    console.log(`got token ${token.id} named ${token.name}, prefix ${token.prefix}`);

    step = "DeleteAuthToken";
    const deleted = await client.deleteAuthToken({ tokenId: id });
    console.log(`deleted token ${deleted.tokenId}`);

    await showFailure("getting the deleted token", client.getAuthToken({ tokenId: id }));
    await showFailure('getting token id "../x"', client.getAuthToken({ tokenId: "../x" }));
  } catch (error) {
    if (!(error instanceof UserTokensError)) {
      throw error; // Not a failed call: a bug in this program.
    }
    console.error(`${step} failed:`);
    describe(error, console.error);
    process.exitCode = 1;
  } finally {
    client.close();
  }
}

main();
