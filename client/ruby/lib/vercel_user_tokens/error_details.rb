# frozen_string_literal: true

require 'grpc'
require 'google/protobuf/well_known_types'
require 'google/rpc/error_details_pb'
require 'google/rpc/status_pb'

module VercelUserTokens
  # What a failed call carries, decoded from the google.rpc.Status in its
  # `grpc-status-details-bin` trailer.
  #
  #   rescue GRPC::BadStatus => e
  #     details = VercelUserTokens::ErrorDetails.from(e)
  #     details.code_name               # => "NOT_FOUND"
  #     details.error_info&.reason      # => "NOT_FOUND"
  #     details.retry_delay             # => seconds as a Float, or nil
  #
  # Without that trailer (e.g. a deadline that expired in the client) only
  # code, code_name and message are set.
  class ErrorDetails
    # code: the gRPC status code (Integer, e.g. GRPC::Core::StatusCodes::NOT_FOUND).
    # code_name: its name, e.g. "NOT_FOUND". message: the status message.
    # error_info, retry_info, bad_request: the Google::Rpc messages, or nil.
    attr_reader :code, :code_name, :message, :error_info, :retry_info, :bad_request

    def self.from(error)
      new(error)
    end

    def initialize(error)
      @code = error.code
      @code_name = GRPC::Core::StatusCodes.constants.find do |name|
        GRPC::Core::StatusCodes.const_get(name) == error.code
      end.to_s
      @message = error.details
      status = error.to_rpc_status
      return if status.nil?

      @message = status.message
      status.details.each do |any|
        @error_info ||= any.unpack(Google::Rpc::ErrorInfo)
        @retry_info ||= any.unpack(Google::Rpc::RetryInfo)
        @bad_request ||= any.unpack(Google::Rpc::BadRequest)
      end
    end

    # How long to wait before retrying, in seconds (a Float); nil without a
    # RetryInfo.
    def retry_delay
      return nil if @retry_info.nil?

      delay = @retry_info.retry_delay
      delay.nil? ? 0.0 : delay.seconds + (delay.nanos / 1e9)
    end
  end
end
