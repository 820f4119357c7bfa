"""The server verifying a real cluster's ServiceAccount tokens as an OIDC
issuer (federation), against a real kube-apiserver.

The cluster serves its ServiceAccount issuer on loopback
(cluster.Cluster(issuer_on_loopback=True), oidc_issuer()); the policy trusts
that issuer for the audience vercel-user-tokens, and lets the caller
`<issuer>#system:serviceaccount:ci:deployer` list tokens with the server's
token. The server reads the discovery document and the JWKS over HTTPS,
trusting the cluster's CA (--oidc_ca_file), and verifies TokenRequest tokens
locally: no TokenReview is asked.
"""

from __future__ import annotations

import unittest

import cluster
import grpc_call
import server_stack

AUDIENCE = "vercel-user-tokens"


class OidcFederationTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.kube = cluster.Cluster(issuer_on_loopback=True)
        cls.kube.__enter__()
        cls.addClassCleanup(cls.kube.stop)
        cls.oidc = cls.kube.oidc_issuer(anonymous=True)
        cls.kube.create_namespace("ci")
        cls.kube.create_service_account("ci", "deployer")
        cls.kube.create_service_account("ci", "tester")
        cls.deployer = f"{cls.oidc.issuer}#system:serviceaccount:ci:deployer"
        cls.policy = {
            "trusted_issuers": [{"issuer": cls.oidc.issuer,
                                 "audiences": [AUDIENCE]}],
            "rules": [{"callers": [cls.deployer],
                       "allowed_rpcs": ["ListAuthTokens"],
                       "use_server_token": True}]}

    def start(self) -> server_stack.ServerStack:
        stack = server_stack.ServerStack(
            (f"--oidc_ca_file={self.oidc.ca_file}",), self.policy)
        stack.__enter__()
        self.addCleanup(stack.__exit__)
        return stack

    def test_token_request_token_is_verified_locally_against_the_jwks(self):
        stack = self.start()
        token = self.kube.token("ci", "deployer", AUDIENCE)
        reviews_before = self.kube.token_reviews_served()

        reply = stack.call("ListAuthTokens", token)

        self.assertEqual(reply.code, grpc_call.OK, str(reply))
        self.assertIn(f'"caller":"{self.deployer}"',
                      stack.wait_for_log('"method":"ListAuthTokens"', 10))
        self.assertEqual(self.kube.token_reviews_served(), reviews_before)
        self.assertNotIn(token, stack.log())

    def test_other_service_account_of_the_issuer_has_no_rule(self) -> None:
        stack = self.start()

        reply = stack.call("ListAuthTokens",
                           self.kube.token("ci", "tester", AUDIENCE))

        self.assertEqual(reply.code, grpc_call.PERMISSION_DENIED, str(reply))

    def test_wrong_audience_is_refused(self) -> None:
        stack = self.start()

        reply = stack.call("ListAuthTokens",
                           self.kube.token("ci", "deployer", "something-else"))

        self.assertEqual((reply.code, reply.reason()),
                         (grpc_call.UNAUTHENTICATED,
                          "WORKLOAD_TOKEN_AUDIENCE"), str(reply))

    def test_expired_token_signed_by_the_cluster_is_refused(self) -> None:
        stack = self.start()

        reply = stack.call("ListAuthTokens",
                           self.kube.expired_token("ci", "deployer", AUDIENCE))

        self.assertEqual((reply.code, reply.reason()),
                         (grpc_call.UNAUTHENTICATED,
                          "WORKLOAD_TOKEN_EXPIRED"), str(reply))

    def test_token_signed_by_another_key_is_refused(self) -> None:
        stack = self.start()
        token = self.kube.token("ci", "deployer", AUDIENCE)
        header, claims, signature = token.split(".")
        forged = f"{header}.{claims}.{signature[:-8]}AAAAAAAA"

        reply = stack.call("ListAuthTokens", forged)

        self.assertEqual((reply.code, reply.reason()),
                         (grpc_call.UNAUTHENTICATED,
                          "WORKLOAD_TOKEN_INVALID"), str(reply))


if __name__ == "__main__":
    unittest.main()
