// client/node's side of the scenario list (client/SPEC.md, section 9):
// `node node_scenarios.js NAME` runs scenario NAME against the server at
// VUT_ADDRESS and prints one JSON line per case; sdk_scenario_checks.py sets
// the fake up and asserts the lines. node_example_test.py runs it in a
// project that installed the package from its tarball.
"use strict";

const fs = require("fs");
const http = require("http");
const path = require("path");
const {
  errorClassFor,
  GetAuthTokenResponse,
  grpc,
  DEFAULT_DEADLINE_MS,
  ResponseMetadata,
  tokenFile,
  UserTokensClient,
  UserTokensError,
  UserTokensServiceService,
} = require("@vercel-user-tokens/client");

const ADDRESS = process.env.VUT_ADDRESS;
const TOKEN = process.env.VERCEL_TOKEN;
const MISSING_ID = "0".repeat(64);

function emit(name, fields) {
  console.log(JSON.stringify({ case: name, ...fields }));
}

function client(options = {}) {
  return new UserTokensClient(ADDRESS, { plaintext: true, ...options });
}

// Prints the error line of what `promise` rejected with.
async function expectError(name, promise) {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof UserTokensError)) throw error;
    const httpStatus = error.errorMetadata.http_status;
    emit(name, {
      family: error.constructor.name,
      code: error.codeName,
      reason: error.reason,
      domain: error.errorInfo?.domain ?? "",
      http_status: httpStatus ? Number(httpStatus) : null,
      retry_delay_ms: error.retryDelayMs ?? null,
      field_violations: error.fieldViolations.map((v) => v.field),
      vercel_request_id: error.vercelRequestId,
      rate_limit_remaining: error.rateLimit.remaining ?? null,
      elapsed_ms: Date.now() - started,
    });
    return;
  }
  throw new Error(`${name}: no error`);
}

async function errors() {
  const c = client({ token: TOKEN, deadlineMs: 5000 });
  const anonymous = client({ deadlineMs: 5000 });
  await expectError("not_found", c.getAuthToken({ tokenId: MISSING_ID }));
  await expectError("invalid_argument", c.getAuthToken({ tokenId: "../x" }));
  await expectError("unauthenticated", anonymous.getAuthToken({ tokenId: "current" }));
  for (const [name, tokenId] of [
    ["permission_denied", "forbidden"], ["rate_limited", "limited"],
    ["unavailable", "unavailable"], ["internal", "internal"],
    ["unimplemented", "unimplemented"], ["deadline_exceeded", "timeout"],
    ["failed_precondition", "teapot"], ["already_exists", "conflict"],
  ]) {
    await expectError(name, c.getAuthToken({ tokenId }));
  }
  const families = {};
  for (let code = 1; code <= 16; code++) families[code] = errorClassFor(code).name;
  emit("families", { families });
  c.close();
  anonymous.close();
}

async function tlsDefault() {
  const byDefault = new UserTokensClient(ADDRESS, { token: TOKEN, deadlineMs: 5000 });
  await expectError("tls_default", byDefault.listAuthTokens());
  byDefault.close();
  const c = client({ token: TOKEN });
  emit("plaintext", { tokens: (await c.listAuthTokens()).tokens.length });
  emit("default_deadline", { seconds: DEFAULT_DEADLINE_MS / 1000 });
  c.close();
}

async function retries() {
  const off = client({ token: TOKEN, deadlineMs: 5000 });
  await expectError("retries_off", off.listAuthTokens());
  off.close();
  const on = client({ token: TOKEN, deadlineMs: 5000, retry: true });
  const started = Date.now();
  const listed = await on.listAuthTokens();
  emit("retries_on", { tokens: listed.tokens.length, elapsed_ms: Date.now() - started });
  await expectError("retry_beyond_deadline", on.getAuthToken({ tokenId: "limited" }));
  on.close();
}

// Resolves once the fake's wait endpoint (wait_held, wait_aborted) counts one.
function fakeWait(what) {
  return new Promise((resolve, reject) => {
    http.get(`${process.env.VUT_FAKE_URL}/_fake/${what}?count=1`, (response) => {
      response.resume();
      response.on("end", () =>
        response.statusCode === 200 ? resolve() : reject(new Error(`${what}: ${response.statusCode}`)));
    }).on("error", reject);
  });
}

async function perCall() {
  const anonymous = client();
  const listed = await anonymous.listAuthTokens({}, { metadata: { authorization: `Bearer ${TOKEN}` } });
  emit("per_call_metadata", { tokens: listed.tokens.length });
  anonymous.close();

  const c = client({ token: TOKEN });
  await expectError("per_call_deadline", c.getAuthToken({ tokenId: "held" }, { deadlineMs: 1000 }));
  // Cancelled by its AbortSignal once the fake holds the request.
  const controller = new AbortController();
  const pending = c.getAuthToken({ tokenId: "held" }, { signal: controller.signal });
  await fakeWait("wait_aborted");
  await fakeWait("wait_held");
  controller.abort();
  await expectError("cancelled", pending);
  c.close();
}

async function successMetadata() {
  const c = client({ token: TOKEN });
  const md = new ResponseMetadata();
  await c.listAuthTokens({}, { responseMetadata: md });
  emit("success_metadata", {
    vercel_request_id: md.vercelRequestId,
    rate_limit_remaining: md.rateLimit.remaining ?? null,
    rate_limit_reset: md.rateLimit.reset ?? null,
  });
  c.close();
}

async function pager() {
  const c = client({ token: TOKEN });
  const pages = [];
  for await (const page of c.listAuthTokensRawPages({ limit: 2 })) {
    pages.push(page.tokens.map((token) => token.name));
  }
  emit("pager", { pages });
  c.close();
}

async function requestId() {
  const c = client({ token: TOKEN, retry: true });
  const request = { name: "request-id-auto" };
  const created = await c.createAuthToken(request);
  await c.createAuthToken({ name: "request-id-own", requestId: process.env.OWN_REQUEST_ID });
  emit("request_id", { token_id: created.token.id, request_id_after: request.requestId ?? "" });
  c.close();
}

// Replaces `file` the way the kubelet and secret managers do: a new file
// renamed over the old one.
function replaceFile(file, text) {
  fs.writeFileSync(`${file}.new`, text);
  fs.renameSync(`${file}.new`, file);
}

async function credentialProvider() {
  let current = TOKEN;
  const byProvider = client({ tokenProvider: async () => current });
  const file = process.env.TOKEN_FILE;
  const byFile = client({ tokenProvider: tokenFile(file) });
  const currentId = async (c) => (await c.getAuthToken({ tokenId: "current" })).token.id;
  const seedId = await currentId(byProvider);
  const created = await byProvider.createAuthToken({ name: "provider" });
  const fileIds = [await currentId(byFile)];
  replaceFile(file, `${created.bearerToken}\n`);
  fileIds.push(await currentId(byFile));
  current = created.bearerToken;
  emit("credential_provider", {
    seed_id: seedId,
    created_id: created.token.id,
    provider_ids: [seedId, await currentId(byProvider)],
    file_ids: fileIds,
  });
  byProvider.close();
  byFile.close();
  const unreadable = client({ tokenProvider: tokenFile(path.join(path.dirname(file), "missing")) });
  await expectError("credentials_unavailable", unreadable.getAuthToken({ tokenId: "unsent" }));
  unreadable.close();
}

async function workloadToken() {
  const file = path.join(process.env.WORK_DIR, "workload-token");
  fs.writeFileSync(file, "workload-one\n");
  const server = new grpc.Server();
  // Answers GetAuthToken with the x-workload-token it received as the name.
  server.addService(UserTokensServiceService, {
    getAuthToken(call, callback) {
      const name = String(call.metadata.get("x-workload-token")[0] ?? "");
      callback(null, GetAuthTokenResponse.fromPartial({ token: { id: call.request.tokenId, name } }));
    },
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound))));
  const c = new UserTokensClient(`127.0.0.1:${port}`, { plaintext: true, workloadTokenFile: file });
  try {
    const name = async () => (await c.getAuthToken({ tokenId: "current" })).token.name;
    const seen = [await name(), await name()];
    replaceFile(file, "workload-two\n");
    seen.push(await name());
    emit("workload_token", { seen });
  } finally {
    c.close();
    server.forceShutdown();
  }
}

const SCENARIOS = {
  errors, tls_default: tlsDefault, retries, per_call: perCall,
  success_metadata: successMetadata, pager, request_id: requestId,
  credential_provider: credentialProvider, workload_token: workloadToken,
};

SCENARIOS[process.argv[process.argv.length - 1]]().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
