# frozen_string_literal: true

# The Ruby client of the vercel-user-tokens service: VercelUserTokens::Client
# (typed errors, a default deadline, an opt-in retry), the generated
# Vercel::Authentication::V1 messages and UserTokensService::Stub, the
# google.rpc error-detail messages the service attaches to failed calls, and
# two helpers for callers of the stub (VercelUserTokens.bearer_metadata,
# VercelUserTokens::ErrorDetails).

require 'grpc'
require 'google/rpc/error_details_pb'
require 'google/rpc/status_pb'
require 'vercel/authentication/v1/user_tokens_pb'
require 'vercel/authentication/v1/user_tokens_services_pb'
require 'vercel_user_tokens/version'

# Helpers around the generated Vercel::Authentication::V1 client.
module VercelUserTokens
  # Returns call metadata that authenticates a call with a Vercel token:
  # pass it as `metadata:` to every authenticated call.
  def self.bearer_metadata(token)
    { 'authorization' => "Bearer #{token}" }
  end
end

require 'vercel_user_tokens/error_details'
require 'vercel_user_tokens/errors'
require 'vercel_user_tokens/token_file'
require 'vercel_user_tokens/cancellation'
require 'vercel_user_tokens/client'
