# frozen_string_literal: true

# Lists, creates, gets and deletes a Vercel user token through the
# vercel-user-tokens service, then shows what a caller gets for a token that
# does not exist (NOT_FOUND) and for a malformed id (INVALID_ARGUMENT).
#
#   VUT_ADDRESS=localhost:50051 VERCEL_TOKEN=... VERCEL_TEAM_ID=team_... \
#     ruby example.rb          # with the gem installed, else ruby -I lib
#
# Exits 1, with the error's details on stderr, when a step that should work
# fails.

require 'vercel_user_tokens'

V1 = Vercel::Authentication::V1
DEADLINE_S = 10

# Prints what a failed call carries: its status and google.rpc details.
def describe(error, out)
  details = VercelUserTokens::ErrorDetails.from(error)
  out.puts "  code: #{details.code_name} (#{details.code})"
  out.puts "  message: #{details.message}"
  if (info = details.error_info)
    out.puts "  error_info: reason=#{info.reason} domain=#{info.domain}"
    info.metadata.to_h.sort.each do |key, value|
      out.puts "  error_info.metadata: #{key}=#{value}"
    end
  end
  delay = details.retry_delay
  out.puts(delay.nil? ? '  retry_info: none' : "  retry_info: retry after #{format('%g', delay)}s")
  details.bad_request&.field_violations&.each do |violation|
    out.puts "  bad_request: #{violation.field}: #{violation.description}"
  end
end

# Runs a call that is expected to fail and prints its error on stdout.
def show_failure(what)
  yield
rescue GRPC::BadStatus => e
  puts "#{what} failed:"
  describe(e, $stdout)
else
  raise "#{what} unexpectedly succeeded"
end

# Plaintext, as inside a cluster; behind TLS pass GRPC::Core::ChannelCredentials.new.
stub = V1::UserTokensService::Stub.new(ENV.fetch('VUT_ADDRESS'), :this_channel_is_insecure)
auth = VercelUserTokens.bearer_metadata(ENV.fetch('VERCEL_TOKEN'))
team_id = ENV.fetch('VERCEL_TEAM_ID')
call = ->(method, request) { stub.public_send(method, request, metadata: auth, deadline: Time.now + DEADLINE_S) }

step = 'ListAuthTokens'
begin
  listed = call.(:list_auth_tokens, V1::ListAuthTokensRequest.new)
  puts "listed #{listed.tokens.size} token(s): #{listed.tokens.map(&:name).join(', ')}"

  step = 'CreateAuthToken'
  created = call.(:create_auth_token, V1::CreateAuthTokenRequest.new(team_id: team_id, name: 'example-ruby'))
  id = created.token.id
  # created.bearer_token is the new token's secret: Vercel returns it only
  # this once, so store it safely (never log it).
  puts "created token #{id} named #{created.token.name}"

  step = 'GetAuthToken'
  got = call.(:get_auth_token, V1::GetAuthTokenRequest.new(token_id: id))
  puts "got token #{got.token.id} named #{got.token.name}"

  step = 'DeleteAuthToken'
  deleted = call.(:delete_auth_token, V1::DeleteAuthTokenRequest.new(token_id: id))
  puts "deleted token #{deleted.token_id}"

  show_failure('getting the deleted token') do
    call.(:get_auth_token, V1::GetAuthTokenRequest.new(token_id: id))
  end
  show_failure('getting token id "../x"') do
    call.(:get_auth_token, V1::GetAuthTokenRequest.new(token_id: '../x'))
  end
rescue GRPC::BadStatus => e
  warn "#{step} failed:"
  describe(e, $stderr)
  exit 1
end
