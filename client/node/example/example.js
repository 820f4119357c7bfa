// Lists, creates, gets and deletes a Vercel user token through the
// vercel-user-tokens service, then shows what a caller gets for a token that
// does not exist (NOT_FOUND) and for a malformed id (INVALID_ARGUMENT).
//
//   VUT_ADDRESS=localhost:50051 VERCEL_TOKEN=... VERCEL_TEAM_ID=team_... \
//     node example.js
//
// Exits 1, with the error's details on stderr, when a step that should work
// fails.
"use strict";

const {
  UserTokensServiceClient,
  bearerMetadata,
  errorDetails,
  grpc,
} = require("@vercel-user-tokens/client");

const DEADLINE_MS = 10_000;

// Runs one unary call and returns a promise of its response.
function call(client, method, request, metadata) {
  return new Promise((resolve, reject) => {
    const options = { deadline: Date.now() + DEADLINE_MS };
    client[method](request, metadata, options, (error, response) =>
      error ? reject(error) : resolve(response));
  });
}

// Prints what a failed call carries: its status and google.rpc details.
function describe(error, print) {
  const details = errorDetails(error);
  print(`  code: ${details.codeName} (${details.code})`);
  print(`  message: ${details.message}`);
  if (details.errorInfo) {
    const { reason, domain, metadata } = details.errorInfo;
    print(`  error_info: reason=${reason} domain=${domain}`);
    for (const key of Object.keys(metadata ?? {}).sort()) {
      print(`  error_info.metadata: ${key}=${metadata[key]}`);
    }
  }
  print(details.retryDelayMs === undefined
    ? "  retry_info: none"
    : `  retry_info: retry after ${details.retryDelayMs / 1000}s`);
  for (const violation of details.badRequest?.fieldViolations ?? []) {
    print(`  bad_request: ${violation.field}: ${violation.description}`);
  }
}

// Runs a call that is expected to fail and prints its error on stdout.
async function showFailure(what, promise) {
  try {
    await promise;
  } catch (error) {
    console.log(`${what} failed:`);
    describe(error, console.log);
    return;
  }
  throw new Error(`${what} unexpectedly succeeded`);
}

async function main() {
  // Plaintext, as inside a cluster; behind TLS use
  // grpc.credentials.createSsl() instead.
  const client = new UserTokensServiceClient(
    process.env.VUT_ADDRESS, grpc.credentials.createInsecure());
  const auth = bearerMetadata(process.env.VERCEL_TOKEN);
  const teamId = process.env.VERCEL_TEAM_ID;
  let step = "ListAuthTokens";
  try {
    const listed = await call(client, "listAuthTokens", {}, auth);
    const names = listed.tokens.map((token) => token.name).join(", ");
    console.log(`listed ${listed.tokens.length} token(s): ${names}`);

    step = "CreateAuthToken";
    const created = await call(
      client, "createAuthToken", { teamId, name: "example-node" }, auth);
    const id = created.token.id;
    // created.bearerToken is the new token's secret: Vercel returns it only
    // this once, so store it safely (never log it).
    console.log(`created token ${id} named ${created.token.name}`);

    step = "GetAuthToken";
    const got = await call(client, "getAuthToken", { tokenId: id }, auth);
    console.log(`got token ${got.token.id} named ${got.token.name}`);

    step = "DeleteAuthToken";
    const deleted = await call(
      client, "deleteAuthToken", { tokenId: id }, auth);
    console.log(`deleted token ${deleted.tokenId}`);

    await showFailure("getting the deleted token",
      call(client, "getAuthToken", { tokenId: id }, auth));
    await showFailure('getting token id "../x"',
      call(client, "getAuthToken", { tokenId: "../x" }, auth));
  } catch (error) {
    if (error.code === undefined) {
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
