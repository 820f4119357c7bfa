"""The server verifying a real cluster's ServiceAccount tokens as an OIDC
issuer (federation), against a real kube-apiserver.

The cluster serves its ServiceAccount issuer on loopback
(cluster.Cluster(issuer_on_loopback=True), oidc_issuer()); the policy trusts
that issuer for the audience vercel-user-tokens, and lets the caller
`<issuer>#system:serviceaccount:ci:deployer` list tokens with the server's
token. The server reads the discovery document and the JWKS over HTTPS,
trusting the cluster's CA (--oidc_ca_file), with a ServiceAccount token of
its own (the trusted issuer's bearer_token_file: the cluster lets only
ServiceAccounts read them), and verifies TokenRequest tokens locally: no
TokenReview is asked.
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
        cls.oidc = cls.kube.oidc_issuer()
        cls.reader_token_file = cls.kube.write_token_file(
            "oidc-reader-token", cls.oidc.reader_token)
        cls.kube.create_namespace("ci")
        cls.kube.create_service_account("ci", "deployer")
        cls.kube.create_service_account("ci", "tester")
        cls.deployer = f"{cls.oidc.issuer}#system:serviceaccount:ci:deployer"

    def start(self, bearer: bool = True) -> server_stack.ServerStack:
        """The server trusting the cluster's issuer, fetching its documents
        with the reader's token when `bearer`, else with none."""
        issuer = {"issuer": self.oidc.issuer, "audiences": [AUDIENCE]}
        if bearer:
            issuer["bearer_token_file"] = str(self.reader_token_file)
        policy = {"trusted_issuers": [issuer],
                  "rules": [{"callers": [self.deployer],
                             "allowed_rpcs": ["ListAuthTokens"],
                             "use_server_token": True}]}
        stack = server_stack.ServerStack(
            (f"--oidc_ca_file={self.oidc.ca_file}",), policy)
        stack.__enter__()
        self.addCleanup(stack.__exit__)
        return stack

    def test_issuer_documents_refused_without_a_bearer_is_unavailable(self):
        stack = self.start(bearer=False)

        reply = stack.call("ListAuthTokens",
                           self.kube.token("ci", "deployer", AUDIENCE))

        self.assertEqual((reply.code, reply.reason()),
                         (grpc_call.UNAVAILABLE, "IDENTITY_UNAVAILABLE"),
                         str(reply))

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
