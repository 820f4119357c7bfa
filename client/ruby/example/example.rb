# frozen_string_literal: true

# Lists, creates, gets and deletes a Vercel user token through the
# vercel-user-tokens service, then shows what a caller gets for a token that
# does not exist (NOT_FOUND) and for a malformed id (INVALID_ARGUMENT).
#
#   VUT_ADDRESS=localhost:50051 VERCEL_TOKEN=... VERCEL_TEAM_ID=team_... \
#     ruby example.rb          # with the gem installed, else ruby -I lib
#
# Reads are retried when the server says how long to wait (RetryInfo),
# within the 10 s deadline. Exits 1, with the error's details on stderr, when
# a step that should work fails.

require 'vercel_user_tokens'

# Prints what a failed call carries: its status and decoded details.
def describe(error, out)
  out.puts "  code: #{error.code_name} (#{error.code})"
  out.puts "  message: #{error.status_message}"
  if (info = error.error_info)
    out.puts "  error_info: reason=#{error.reason} domain=#{info.domain}"
    error.error_metadata.sort.each { |key, value| out.puts "  error_info.metadata: #{key}=#{value}" }
  end
  delay = error.retry_delay
  out.puts(delay.nil? ? '  retry_info: none' : "  retry_info: retry after #{format('%g', delay)}s")
  error.field_violations.each do |violation|
    out.puts "  bad_request: #{violation.field}: #{violation.description}"
  end
end

# Runs a call that is expected to fail and prints its error on stdout.
def show_failure(what)
  yield
rescue VercelUserTokens::Error => e
  puts "#{what} failed:"
  describe(e, $stdout)
else
  raise "#{what} unexpectedly succeeded"
end

# TLS with the default roots (see root_ca, client_cert, client_key), or
# plaintext, as inside a cluster, when VUT_PLAINTEXT=1.
client = VercelUserTokens::Client.new(ENV.fetch('VUT_ADDRESS'), plaintext: ENV['VUT_PLAINTEXT'] == '1',
                                      token: ENV.fetch('VERCEL_TOKEN'),
                                      deadline: 10, retry: true)
team_id = ENV.fetch('VERCEL_TEAM_ID')

step = 'ListAuthTokens'
begin
  listed = client.list_auth_tokens
  puts "listed #{listed.tokens.size} token(s): #{listed.tokens.map(&:name).join(', ')}"

  step = 'CreateAuthToken'
  created = client.create_auth_token(team_id: team_id, name: 'example-ruby')
  id = created.token.id
  # created.bearer_token is the new token's secret: Vercel returns it only
  # this once, so store it safely (never log it).
  puts "created token #{id} named #{created.token.name}"

  step = 'GetAuthToken'
  got = client.get_auth_token(token_id: id).token
  puts "got token #{got.id} named #{got.name}, prefix #{got.prefix}"

  step = 'DeleteAuthToken'
  deleted = client.delete_auth_token(token_id: id)
  puts "deleted token #{deleted.token_id}"

  show_failure('getting the deleted token') { client.get_auth_token(token_id: id) }
  show_failure('getting token id "../x"') { client.get_auth_token(token_id: '../x') }
rescue VercelUserTokens::Error => e
  warn "#{step} failed:"
  describe(e, $stderr)
  exit 1
ensure
  client.close
end
