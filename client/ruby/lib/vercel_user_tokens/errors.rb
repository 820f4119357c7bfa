# frozen_string_literal: true

require 'grpc'
require 'vercel_user_tokens/error_details'

module VercelUserTokens
  # Vercel's rate-limit headers as the service passes them on (Strings, or
  # nil when absent): x-ratelimit-limit, x-ratelimit-remaining and
  # x-ratelimit-reset (Unix seconds).
  RateLimit = Struct.new(:limit, :remaining, :reset)

  # A failed call of the service, with what its google.rpc.Status carries
  # decoded. VercelUserTokens::Client raises the subclass of the error's
  # family (RateLimitedError, NotFoundError, InvalidArgumentError,
  # UnauthenticatedError, PermissionDeniedError), and this class for the
  # other codes; `rescue VercelUserTokens::Error` handles them all. The
  # GRPC::BadStatus it decodes is its #cause.
  class Error < StandardError
    # code: the gRPC status code (Integer); code_name: e.g. "NOT_FOUND";
    # status_message; error_info, retry_info, bad_request: the decoded
    # Google::Rpc messages, or nil; rate_limit: a RateLimit.
    attr_reader :code, :code_name, :status_message, :error_info, :retry_info, :bad_request,
                :rate_limit

    # Returns the Error subclass of `bad_status`'s family. `headers` are the
    # call's response headers (the service sends x-ratelimit-* there).
    def self.from(bad_status, headers = {})
      family = FAMILIES.fetch(bad_status.code, Error)
      family.new(bad_status, headers)
    end

    def initialize(bad_status, headers = {})
      details = ErrorDetails.from(bad_status)
      super("#{details.code_name}: #{details.message}")
      @code = details.code
      @code_name = details.code_name
      @status_message = details.message
      @error_info = details.error_info
      @retry_info = details.retry_info
      @bad_request = details.bad_request
      @retry_delay = details.retry_delay
      # A trailers-only response carries the headers in the trailers.
      metadata = (headers || {}).merge(bad_status.metadata || {})
      @rate_limit = RateLimit.new(*%w[limit remaining reset].map { |k| metadata["x-ratelimit-#{k}"] })
    end

    # How long to wait before retrying, in seconds (a Float); nil without a
    # RetryInfo.
    attr_reader :retry_delay

    # ErrorInfo's reason, e.g. "NOT_FOUND"; "" without an ErrorInfo.
    def reason
      @error_info&.reason.to_s
    end

    # ErrorInfo's metadata as a Hash, e.g. {"http_status" => "404"}.
    def error_metadata
      @error_info ? @error_info.metadata.to_h : {}
    end

    # BadRequest's field violations (field, description); [] without one.
    def field_violations
      @bad_request ? @bad_request.field_violations.to_a : []
    end
  end

  # RESOURCE_EXHAUSTED: Vercel limits the rate; #retry_delay says how long to wait.
  class RateLimitedError < Error; end
  # NOT_FOUND: the token (or login) does not exist.
  class NotFoundError < Error; end
  # INVALID_ARGUMENT: the request was refused as it is; see #field_violations.
  class InvalidArgumentError < Error; end
  # UNAUTHENTICATED: no Vercel token, or one Vercel does not accept.
  class UnauthenticatedError < Error; end
  # PERMISSION_DENIED: the token may not do this.
  class PermissionDeniedError < Error; end

  codes = GRPC::Core::StatusCodes
  Error::FAMILIES = {
    codes::RESOURCE_EXHAUSTED => RateLimitedError,
    codes::NOT_FOUND => NotFoundError,
    codes::INVALID_ARGUMENT => InvalidArgumentError,
    codes::UNAUTHENTICATED => UnauthenticatedError,
    codes::PERMISSION_DENIED => PermissionDeniedError
  }.freeze
end
