# frozen_string_literal: true

require 'grpc'
require 'vercel_user_tokens/error_details'

module VercelUserTokens
  # Vercel's rate-limit headers as the service passes them on: limit
  # (x-ratelimit-limit), remaining (x-ratelimit-remaining) and reset
  # (x-ratelimit-reset, when the window ends in Unix seconds), each an
  # Integer or nil when absent or not an integer.
  RateLimit = Struct.new(:limit, :remaining, :reset) do
    # Reads the three headers from a call's metadata Hash.
    def self.from(metadata)
      new(*%w[limit remaining reset].map do |key|
        value = metadata["x-ratelimit-#{key}"]
        Integer(value, 10, exception: false) if value.is_a?(String)
      end)
    end
  end

  # What a call's response metadata said (client/SPEC.md §4): Vercel's
  # request id (x-vercel-id, which Vercel support asks for; "" when none
  # came) and its RateLimit. Pass an empty one as `response_metadata:`; the
  # client fills it when the call returns, on success and on failure.
  class ResponseMetadata
    attr_reader :vercel_request_id, :rate_limit

    def initialize
      @vercel_request_id = ''
      @rate_limit = RateLimit.new
    end

    # Fills the holder from a call's metadata (headers and trailers merged).
    def fill(metadata)
      @vercel_request_id = metadata['x-vercel-id'].to_s
      @rate_limit = RateLimit.from(metadata)
      self
    end
  end

  # A failed call of the service, with what its google.rpc.Status carries
  # decoded. VercelUserTokens::Client raises the subclass of the error's
  # family, one per gRPC code the service returns (client/SPEC.md §1:
  # InvalidArgumentError, FailedPreconditionError, UnauthenticatedError,
  # PermissionDeniedError, NotFoundError, AlreadyExistsError,
  # RateLimitedError, UnavailableError, DeadlineExceededError,
  # CancelledError, InternalError, UnimplementedError, UnknownError), and
  # this class for the other codes; `rescue VercelUserTokens::Error` handles
  # them all. The GRPC::BadStatus it decodes is its #cause.
  class Error < StandardError
    # code: the gRPC status code (Integer); code_name: e.g. "NOT_FOUND";
    # status_message; error_info, retry_info, bad_request: the decoded
    # Google::Rpc messages, or nil; rate_limit: a RateLimit; vercel_request_id:
    # the x-vercel-id metadata, else ErrorInfo's vercel_request_id, else "".
    attr_reader :code, :code_name, :status_message, :error_info, :retry_info, :bad_request,
                :rate_limit, :vercel_request_id

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
      @rate_limit = RateLimit.from(metadata)
      @vercel_request_id = (metadata['x-vercel-id'] || error_metadata['vercel_request_id']).to_s
    end

    # How long to wait before retrying, in seconds (a Float); nil without a
    # RetryInfo.
    attr_reader :retry_delay

    # ErrorInfo's reason, e.g. "NOT_FOUND"; "" without an ErrorInfo.
    def reason
      @error_info&.reason.to_s
    end

    # ErrorInfo's domain, e.g. "api.vercel.com"; "" without an ErrorInfo.
    def domain
      @error_info&.domain.to_s
    end

    # ErrorInfo's metadata as a Hash, e.g. {"http_status" => "404"}.
    def error_metadata
      @error_info ? @error_info.metadata.to_h : {}
    end

    # Vercel's HTTP status (ErrorInfo metadata http_status), or nil.
    def http_status
      Integer(error_metadata['http_status'].to_s, 10, exception: false)
    end

    # BadRequest's field violations (field, description); [] without one.
    def field_violations
      @bad_request ? @bad_request.field_violations.to_a : []
    end
  end

  # INVALID_ARGUMENT: the request was refused as it is; see #field_violations.
  class InvalidArgumentError < Error; end
  # FAILED_PRECONDITION: not now, e.g. an email login not yet confirmed.
  class FailedPreconditionError < Error; end
  # UNAUTHENTICATED: no Vercel token, or one Vercel does not accept.
  class UnauthenticatedError < Error; end
  # PERMISSION_DENIED: the token may not do this.
  class PermissionDeniedError < Error; end
  # NOT_FOUND: the token (or login) does not exist.
  class NotFoundError < Error; end
  # ALREADY_EXISTS: what the call would create exists already.
  class AlreadyExistsError < Error; end
  # RESOURCE_EXHAUSTED: Vercel limits the rate; #retry_delay says how long to wait.
  class RateLimitedError < Error; end
  # UNAVAILABLE: the service or Vercel could not be reached; retrying may help.
  class UnavailableError < Error; end
  # DEADLINE_EXCEEDED: the call's deadline passed.
  class DeadlineExceededError < Error; end
  # CANCELLED: the call was cancelled.
  class CancelledError < Error; end
  # INTERNAL: the service or Vercel failed in a way retrying does not fix.
  class InternalError < Error; end
  # UNIMPLEMENTED: the service or Vercel does not implement the call.
  class UnimplementedError < Error; end
  # UNKNOWN: an answer the service could not place.
  class UnknownError < Error; end

  codes = GRPC::Core::StatusCodes
  Error::FAMILIES = {
    codes::INVALID_ARGUMENT => InvalidArgumentError,
    codes::FAILED_PRECONDITION => FailedPreconditionError,
    codes::UNAUTHENTICATED => UnauthenticatedError,
    codes::PERMISSION_DENIED => PermissionDeniedError,
    codes::NOT_FOUND => NotFoundError,
    codes::ALREADY_EXISTS => AlreadyExistsError,
    codes::RESOURCE_EXHAUSTED => RateLimitedError,
    codes::UNAVAILABLE => UnavailableError,
    codes::DEADLINE_EXCEEDED => DeadlineExceededError,
    codes::CANCELLED => CancelledError,
    codes::INTERNAL => InternalError,
    codes::UNIMPLEMENTED => UnimplementedError,
    codes::UNKNOWN => UnknownError
  }.freeze
end
