# frozen_string_literal: true

require 'grpc'
require 'vercel/authentication/v1/user_tokens_pb'
require 'vercel/authentication/v1/user_tokens_services_pb'
require 'vercel_user_tokens/errors'

module VercelUserTokens
  # When Client retries the read-only calls (get_auth_token,
  # list_auth_tokens, list_auth_tokens_raw): after RESOURCE_EXHAUSTED or
  # UNAVAILABLE with a RetryInfo, once its delay has passed; after
  # UNAVAILABLE without one, after a backoff from initial_backoff seconds,
  # doubling; at most max_attempts attempts in all, and never when the wait
  # would pass the call's deadline.
  RetryPolicy = Struct.new(:max_attempts, :initial_backoff, keyword_init: true) do
    def initialize(max_attempts: 3, initial_backoff: 0.1)
      raise ArgumentError, 'max_attempts must be at least 1' if max_attempts < 1

      super
    end

    # Seconds to wait before attempt + 1 after `error` failed `attempt`
    # (1-based), or nil when it is not retried.
    def delay_after(error, attempt)
      return nil if attempt >= max_attempts

      case error.code
      when GRPC::Core::StatusCodes::RESOURCE_EXHAUSTED then error.retry_delay
      when GRPC::Core::StatusCodes::UNAVAILABLE then error.retry_delay || (initial_backoff * (2**(attempt - 1)))
      end
    end
  end

  # A client of the vercel-user-tokens service.
  #
  #   client = VercelUserTokens::Client.new('localhost:50051', insecure: true,
  #                                         token: ENV.fetch('VERCEL_TOKEN'), retry_policy: true)
  #   client.list_auth_tokens.tokens.each { |t| puts t.name }
  #
  # Every call carries the caller's Vercel token (when given) and a deadline
  # (`deadline` seconds, 30 by default, retries included), and raises a
  # VercelUserTokens::Error subclass. A request is a Vercel::Authentication::V1
  # message, a Hash of its fields, or those fields as keywords
  # (`get_auth_token(token_id: id)`). Thread-safe.
  class Client
    V1 = Vercel::Authentication::V1
    DEFAULT_DEADLINE = 30

    # target: "host:port", or a gRPC name such as
    #   "dns:///vercel-user-tokens-headless.ns.svc.cluster.local:50051".
    # token: the caller's Vercel token; without one the server's own is used.
    # insecure: plaintext instead of TLS. Else TLS, with PEM contents:
    #   root_ca (instead of the default roots), client_cert and client_key
    #   (mutual TLS), server_name_override (the name in the server's certificate).
    # deadline: seconds per call. retry_policy: a RetryPolicy, true for the defaults,
    #   or nil (never). load_balancing_policy: e.g. "round_robin".
    # channel_args: further gRPC channel arguments.
    def initialize(target, token: nil, insecure: false, root_ca: nil, client_cert: nil, client_key: nil,
                   server_name_override: nil, deadline: DEFAULT_DEADLINE, retry_policy: nil,
                   load_balancing_policy: nil, channel_args: {})
      args = channel_args.dup
      args['grpc.ssl_target_name_override'] = server_name_override if server_name_override
      args['grpc.lb_policy_name'] = load_balancing_policy if load_balancing_policy
      credentials = if insecure
                      :this_channel_is_insecure
                    else
                      GRPC::Core::ChannelCredentials.new(root_ca, client_key, client_cert)
                    end
      @channel = GRPC::Core::Channel.new(target, args, credentials)
      @stub = V1::UserTokensService::Stub.new(target, credentials, channel_override: @channel)
      @metadata = token ? VercelUserTokens.bearer_metadata(token) : {}
      @deadline = deadline
      @retry = retry_policy == true ? RetryPolicy.new : retry_policy
    end

    # The generated stub, for anything this class does not cover.
    attr_reader :stub

    # GetAuthToken: one token's metadata. Retried under the retry policy.
    def get_auth_token(request = nil, deadline: @deadline, **fields)
      read(:get_auth_token, message(V1::GetAuthTokenRequest, request, fields), deadline)
    end

    # ListAuthTokens: every token, all pages. Retried under the retry policy.
    def list_auth_tokens(request = nil, deadline: @deadline, **fields)
      read(:list_auth_tokens, message(V1::ListAuthTokensRequest, request, fields), deadline)
    end

    # ListAuthTokensRaw: one page as Vercel sent it. Retried under the retry policy.
    def list_auth_tokens_raw(request = nil, deadline: @deadline, **fields)
      read(:list_auth_tokens_raw, message(V1::ListAuthTokensRawRequest, request, fields), deadline)
    end

    # CreateAuthToken: a new token and its secret (bearer_token). Never retried.
    def create_auth_token(request = nil, deadline: @deadline, **fields)
      once(:create_auth_token, message(V1::CreateAuthTokenRequest, request, fields), deadline_at(deadline))
    end

    # DeleteAuthToken: revokes a token. Never retried.
    def delete_auth_token(request = nil, deadline: @deadline, **fields)
      once(:delete_auth_token, message(V1::DeleteAuthTokenRequest, request, fields), deadline_at(deadline))
    end

    # EmailLogin: starts Vercel's email login. Never retried.
    def email_login(request = nil, deadline: @deadline, **fields)
      once(:email_login, message(V1::EmailLoginRequest, request, fields), deadline_at(deadline))
    end

    # VerifyToken: completes it. Never retried.
    def verify_token(request = nil, deadline: @deadline, **fields)
      once(:verify_token, message(V1::VerifyTokenRequest, request, fields), deadline_at(deadline))
    end

    # Closes the channel; calls after this fail.
    def close
      @channel.close
    end

    private

    def message(type, request, fields)
      request ||= fields
      request.is_a?(Hash) ? type.new(**request) : request
    end

    def deadline_at(seconds)
      Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
    end

    def remaining(deadline)
      deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end

    # One attempt; raises the typed error, which also reads the response
    # headers (where the service puts x-ratelimit-*).
    def once(method, request, deadline)
      op = @stub.public_send(method, request, metadata: @metadata, return_op: true,
                                              deadline: Time.now + remaining(deadline))
      begin
        op.execute
      rescue GRPC::BadStatus => e
        raise Error.from(e, op.metadata)
      end
    end

    def read(method, request, seconds)
      deadline = deadline_at(seconds)
      attempt = 1
      begin
        once(method, request, deadline)
      rescue Error => e
        wait = @retry&.delay_after(e, attempt)
        raise if wait.nil? || wait >= remaining(deadline)

        sleep(wait)
        attempt += 1
        retry
      end
    end
  end
end
