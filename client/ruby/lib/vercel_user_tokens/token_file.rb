# frozen_string_literal: true

module VercelUserTokens
  # A credential provider (client/SPEC.md §6): #call returns the token in the
  # file at `path`, surrounding whitespace stripped. The file is read again
  # when it changed (its device, inode, size or modification time, through
  # symlinks, as the kubelet swaps ..data) and at least every MAX_AGE
  # seconds. A failed re-read or an empty file keeps the last good value;
  # with none yet, #call raises IOError naming the file, never its contents.
  # Thread-safe.
  class TokenFile
    MAX_AGE = 60

    def initialize(path, clock: -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) })
      @path = path.to_s
      @clock = clock
      @mutex = Mutex.new
      @value = nil
      @identity = nil
      @read_at = nil
    end

    def call
      now = @clock.call
      identity = identity_now
      @mutex.synchronize do
        refresh(now, identity) if stale?(now, identity)
        raise IOError, "cannot read a token from #{@path} (missing, unreadable or empty)" if @value.nil?

        @value
      end
    end

    def inspect
      "#<VercelUserTokens::TokenFile #{@path}>"
    end
    alias to_s inspect

    private

    def stale?(now, identity)
      @value.nil? || identity != @identity || now - @read_at >= MAX_AGE
    end

    def refresh(now, identity)
      read = File.read(@path).strip
      return if read.empty?

      @value = read
      @identity = identity
      @read_at = now
    rescue SystemCallError, IOError
      nil
    end

    def identity_now
      stat = File.stat(@path)
      [stat.dev, stat.ino, stat.size, stat.mtime.to_r]
    rescue SystemCallError
      nil
    end
  end

  # A provider of the token in the file at `path` (see TokenFile).
  def self.token_file(path)
    TokenFile.new(path)
  end
end
