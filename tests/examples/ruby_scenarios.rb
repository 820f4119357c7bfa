# frozen_string_literal: true

# client/ruby's side of the scenario list (client/SPEC.md, section 9):
# `ruby ruby_scenarios.rb NAME` runs scenario NAME against the server at
# $VUT_ADDRESS and prints one JSON line per case; sdk_scenario_checks.py sets
# the fake up and asserts the lines.

require 'json'
require 'net/http'
require 'tmpdir'
require 'vercel_user_tokens'

ADDRESS = ENV.fetch('VUT_ADDRESS')
TOKEN = ENV.fetch('VERCEL_TOKEN')
MISSING_ID = '0' * 64
V1 = Vercel::Authentication::V1

def emit(name, **fields)
  puts JSON.generate({ case: name, **fields })
  $stdout.flush
end

def monotonic_ms
  (Process.clock_gettime(Process::CLOCK_MONOTONIC) * 1000).round
end

def error_line(name, error, **extra)
  emit(name, family: error.class.name.split('::').last, code: error.code_name,
             reason: error.reason, domain: error.domain, http_status: error.http_status,
             retry_delay_ms: error.retry_delay && (error.retry_delay * 1000).round,
             field_violations: error.field_violations.map(&:field),
             vercel_request_id: error.vercel_request_id,
             rate_limit_remaining: error.rate_limit.remaining, **extra)
end

def expect_error(name)
  started = monotonic_ms
  yield
  raise "#{name}: no error"
rescue VercelUserTokens::Error => e
  error_line(name, e, elapsed_ms: monotonic_ms - started)
end

def client(**options)
  VercelUserTokens::Client.new(ADDRESS, plaintext: true, **options)
end

def errors
  c = client(token: TOKEN, deadline: 5)
  anonymous = client(deadline: 5)
  expect_error('not_found') { c.get_auth_token(token_id: MISSING_ID) }
  expect_error('invalid_argument') { c.get_auth_token(token_id: '../x') }
  expect_error('unauthenticated') { anonymous.get_auth_token(token_id: 'current') }
  { 'permission_denied' => 'forbidden', 'rate_limited' => 'limited', 'unavailable' => 'unavailable',
    'internal' => 'internal', 'unimplemented' => 'unimplemented', 'deadline_exceeded' => 'timeout',
    'failed_precondition' => 'teapot', 'already_exists' => 'conflict' }.each do |name, id|
    expect_error(name) { c.get_auth_token(token_id: id) }
  end
  families = (1..16).to_h do |code|
    [code.to_s, VercelUserTokens::Error.from(GRPC::BadStatus.new_status_exception(code, 'x'))
                                       .class.name.split('::').last]
  end
  emit('families', families: families)
end

def tls_default
  default = VercelUserTokens::Client.new(ADDRESS, token: TOKEN, deadline: 5)
  expect_error('tls_default') { default.list_auth_tokens }
  emit('plaintext', tokens: client(token: TOKEN).list_auth_tokens.tokens.size)
  emit('default_deadline', seconds: VercelUserTokens::DEFAULT_DEADLINE)
end

def retries
  expect_error('retries_off') { client(token: TOKEN, deadline: 5).list_auth_tokens }
  on = client(token: TOKEN, deadline: 5, retry: true)
  started = monotonic_ms
  tokens = on.list_auth_tokens.tokens.size
  emit('retries_on', tokens: tokens, elapsed_ms: monotonic_ms - started)
  expect_error('retry_beyond_deadline') { on.get_auth_token(token_id: 'limited') }
end

# Ruby's calls block and take a deadline and a Cancellation (client/SPEC.md §3).
def per_call
  listed = client.list_auth_tokens(metadata: { 'authorization' => "Bearer #{TOKEN}" })
  emit('per_call_metadata', tokens: listed.tokens.size)
  expect_error('per_call_deadline') { client(token: TOKEN).get_auth_token(token_id: 'held', deadline: 1) }
  cancelled
end

# Returns once the fake's control endpoint `what` (e.g. "wait_held") answers
# 200: the count it waits for was reached.
def wait_for_fake(what)
  uri = URI("#{ENV.fetch('VUT_FAKE_URL')}/_fake/#{what}?count=1")
  response = Net::HTTP.start(uri.host, uri.port, read_timeout: 30) { |http| http.get(uri.request_uri) }
  raise "#{uri}: #{response.code}" unless response.is_a?(Net::HTTPSuccess)
end

# Cancelled once the fake holds the call's upstream request (after the one
# the per-call deadline abandoned was given up).
def cancelled
  cancellation = VercelUserTokens::Cancellation.new
  canceller = Thread.new do
    wait_for_fake('wait_aborted')
    wait_for_fake('wait_held')
    cancellation.cancel
  end
  expect_error('cancelled') { client(token: TOKEN).get_auth_token(token_id: 'held', cancellation: cancellation) }
  canceller.join
end

def success_metadata
  md = VercelUserTokens::ResponseMetadata.new
  client(token: TOKEN).list_auth_tokens(response_metadata: md)
  emit('success_metadata', vercel_request_id: md.vercel_request_id,
                           rate_limit_remaining: md.rate_limit.remaining, rate_limit_reset: md.rate_limit.reset)
end

def pager
  pages = client(token: TOKEN).list_auth_tokens_raw_pages(limit: 2).map { |page| page.tokens.map(&:name) }
  emit('pager', pages: pages)
end

def request_id
  c = client(token: TOKEN, retry: true)
  request = V1::CreateAuthTokenRequest.new(name: 'request-id-auto')
  created = c.create_auth_token(request)
  c.create_auth_token(name: 'request-id-own', request_id: ENV.fetch('OWN_REQUEST_ID'))
  emit('request_id', token_id: created.token.id, request_id_after: request.request_id)
end

def replace_file(path, text)
  fresh = "#{path}.new"
  File.write(fresh, text)
  File.rename(fresh, path)
end

def credential_provider
  current = TOKEN
  token_file = ENV.fetch('TOKEN_FILE')
  by_provider = client(token_provider: -> { current })
  by_file = client(token_provider: VercelUserTokens.token_file(token_file))
  seed_id = by_provider.get_auth_token(token_id: 'current').token.id
  created = by_provider.create_auth_token(name: 'provider')
  file_ids = [by_file.get_auth_token(token_id: 'current').token.id]
  replace_file(token_file, "#{created.bearer_token}\n")
  file_ids << by_file.get_auth_token(token_id: 'current').token.id
  current = created.bearer_token
  provider_ids = [seed_id, by_provider.get_auth_token(token_id: 'current').token.id]
  emit('credential_provider', seed_id: seed_id, created_id: created.token.id,
                              provider_ids: provider_ids, file_ids: file_ids)
  unreadable = client(token_provider: VercelUserTokens.token_file(File.join(File.dirname(token_file), 'missing')))
  expect_error('credentials_unavailable') { unreadable.get_auth_token(token_id: 'unsent') }
end

# GetAuthToken of a test server: the x-workload-token it received, as the
# token's name.
class EchoWorkloadToken < V1::UserTokensService::Service
  def get_auth_token(request, call)
    V1::GetAuthTokenResponse.new(token: V1::AuthToken.new(id: request.token_id,
                                                          name: call.metadata['x-workload-token'].to_s))
  end
end

def workload_token
  path = File.join(ENV.fetch('WORK_DIR'), 'workload-token')
  File.write(path, "workload-one\n")
  server = GRPC::RpcServer.new
  port = server.add_http2_port('127.0.0.1:0', :this_port_is_insecure)
  server.handle(EchoWorkloadToken)
  thread = Thread.new { server.run }
  server.wait_till_running
  c = VercelUserTokens::Client.new("127.0.0.1:#{port}", plaintext: true, workload_token_file: path)
  seen = Array.new(2) { c.get_auth_token(token_id: 'current').token.name }
  replace_file(path, "workload-two\n")
  seen << c.get_auth_token(token_id: 'current').token.name
  emit('workload_token', seen: seen)
ensure
  server&.stop
  thread&.join
end

# Ruby's own (not in the shared list): a Cancellation's races. Cancelled
# before the call: nothing is sent. Cancelled once the first attempt failed
# (a 503 whose Retry-After is 20 s): the retry's wait ends at once and no
# second attempt is made.
def cancellation_races
  before = VercelUserTokens::Cancellation.new
  before.cancel
  expect_error('cancelled_before') { client(token: TOKEN).list_auth_tokens(cancellation: before) }
  between = VercelUserTokens::Cancellation.new
  first_attempt_done = Queue.new
  metadata = VercelUserTokens::ResponseMetadata.new
  metadata.define_singleton_method(:fill) do |md|
    first_attempt_done << true
    super(md)
  end
  canceller = Thread.new do
    first_attempt_done.pop
    between.cancel
  end
  expect_error('cancelled_between_attempts') do
    client(token: TOKEN, retry: true).get_auth_token(token_id: 'waiting', cancellation: between,
                                                     response_metadata: metadata)
  end
  canceller.join
end

send(ARGV.fetch(0))
