# frozen_string_literal: true

require 'grpc'
require 'vercel_user_tokens/errors'

module VercelUserTokens
  # A handle that cancels the calls made with it (client/SPEC.md section 3),
  # from any thread:
  #
  #   cancellation = VercelUserTokens::Cancellation.new
  #   worker = Thread.new { client.get_auth_token(token_id: id, cancellation: cancellation) }
  #   cancellation.cancel
  #   worker.value # raises VercelUserTokens::CancelledError
  #
  # #cancel cancels every attempt in flight (the gRPC Operation's #cancel, so
  # the server sees it and abandons its upstream request), ends a retry's
  # wait at once, and makes every later call or attempt with this handle
  # raise CancelledError before anything is sent. A cancelled handle stays
  # cancelled: use one per operation. A call that already returned is not
  # changed. Thread-safe; may be shared by several calls (e.g. every page of
  # list_auth_tokens_raw_pages).
  class Cancellation
    def initialize
      @mutex = Mutex.new
      @cancelled_signal = ConditionVariable.new
      @cancelled = false
      @in_flight = []
    end

    # Cancels as the class comment says. Idempotent; does not block on a call.
    def cancel
      @mutex.synchronize do
        @cancelled = true
        @in_flight.each(&:cancel)
        @cancelled_signal.broadcast
      end
      nil
    end

    # Whether #cancel was called.
    def cancelled?
      @mutex.synchronize { @cancelled }
    end

    # Used by Client: raises CancelledError when cancelled.
    def check!
      raise Cancellation.error if cancelled?
    end

    # Used by Client: runs the block (which executes `operation`) with
    # `operation` cancelled by #cancel meanwhile; raises CancelledError
    # without running it when already cancelled.
    def track(operation)
      @mutex.synchronize do
        raise Cancellation.error if @cancelled

        @in_flight << operation
      end
      begin
        yield
      ensure
        @mutex.synchronize { @in_flight.delete(operation) }
      end
    end

    # Used by Client: waits `seconds`, or less when #cancel comes first, then
    # raises CancelledError if cancelled.
    def sleep(seconds)
      until_time = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
      @mutex.synchronize do
        until @cancelled
          left = until_time - Process.clock_gettime(Process::CLOCK_MONOTONIC)
          break if left <= 0

          @cancelled_signal.wait(@mutex, left)
        end
        raise Cancellation.error if @cancelled
      end
    end

    # The CancelledError of a call the handle stopped before or between
    # attempts (gRPC raises its own when it stops one in flight).
    def self.error
      Error.from(GRPC::Cancelled.new('call cancelled by the caller'))
    end
  end
end
