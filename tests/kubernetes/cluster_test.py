"""The real control plane of tests/kubernetes/cluster.py answers as the
reference says a cluster does (../shared/reference/kubernetes-identity.md):
these are the answers the server's TokenReview source is built on, asked
directly, and the harness functions the server tests and the federation tests
rely on.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
import unittest

import cluster

AUDIENCE = "vercel-user-tokens"
# The API server caches a successful authentication for 10 s; a review asked
# after a deletion may take that long to fail, plus the time of the requests
# on a busy machine.
APISERVER_CACHE_S = 10
REFUSAL_SLACK_S = 5
POLL_LIMIT_S = 60


def poll_until_refused(kube: cluster.Cluster, token: str) -> tuple[float, dict]:
    """Reviews `token` until the API server refuses it; returns the seconds
    that took and the refusing status."""
    started = time.monotonic()
    while time.monotonic() - started < POLL_LIMIT_S:
        status = kube.token_review(token, [AUDIENCE]).body["status"]
        if not status.get("authenticated"):
            return time.monotonic() - started, status
        time.sleep(0.25)
    raise AssertionError(f"still authenticated after {POLL_LIMIT_S} s")


class TokenReviewAnswersTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.kube = cluster.Cluster()
        cls.kube.__enter__()
        cls.addClassCleanup(cls.kube.stop)
        cls.kube.create_namespace("billing")
        cls.account = cls.kube.create_service_account("billing", "deployer")

    def test_built_at_the_pinned_release(self) -> None:
        self.assertEqual(self.kube.version(), cluster.KUBE_VERSION)

    def test_right_audience_is_authenticated_as_the_service_account(self):
        token = self.kube.token("billing", "deployer", AUDIENCE)

        answer = self.kube.token_review(token, [AUDIENCE])

        self.assertEqual(answer.status, 201)
        status = answer.body["status"]
        self.assertTrue(status["authenticated"])
        self.assertEqual(status["user"]["username"],
                         "system:serviceaccount:billing:deployer")
        self.assertEqual(status["user"]["uid"],
                         self.account["metadata"]["uid"])
        self.assertIn("system:serviceaccounts:billing",
                      status["user"]["groups"])
        self.assertEqual(status["audiences"], [AUDIENCE])
        jti = cluster.jwt_claims(token)["jti"]
        self.assertEqual(
            status["user"]["extra"]
            ["authentication.kubernetes.io/credential-id"], [f"JTI={jti}"])
        # The answer echoes the token: a body never to log.
        self.assertEqual(answer.body["spec"]["token"], token)

    def test_wrong_audience_is_refused(self) -> None:
        token = self.kube.token("billing", "deployer", "something-else")

        status = self.kube.token_review(token, [AUDIENCE]).body["status"]

        self.assertNotIn("authenticated", status)
        self.assertIn(f'is invalid for the target audiences ["{AUDIENCE}"]',
                      status["error"])

    def test_expired_token_signed_with_the_cluster_key_is_refused(self):
        token = self.kube.expired_token("billing", "deployer", AUDIENCE)
        self.assertLess(cluster.jwt_claims(token)["exp"], time.time())

        status = self.kube.token_review(token, [AUDIENCE]).body["status"]

        self.assertNotIn("authenticated", status)
        self.assertIn("service account token has expired", status["error"])

    def test_garbage_is_refused(self) -> None:
        status = self.kube.token_review("not.a.token", [AUDIENCE]).body["status"]

        self.assertNotIn("authenticated", status)
        self.assertIn("invalid bearer token", status["error"])

    def test_reviewer_without_auth_delegator_is_forbidden(self) -> None:
        token = self.kube.token("billing", "deployer", AUDIENCE)

        answer = self.kube.token_review(
            token, [AUDIENCE], reviewer_token=cluster.UNBOUND_REVIEWER_TOKEN)

        self.assertEqual(answer.status, 403)
        self.assertIn(f'User "{cluster.UNBOUND_REVIEWER}" cannot create '
                      'resource "tokenreviews"', answer.body["message"])

    def test_deleted_service_account_is_refused_once_the_cache_expires(self):
        self.kube.create_service_account("billing", "short-lived")
        token = self.kube.token("billing", "short-lived", AUDIENCE)
        self.assertTrue(
            self.kube.token_review(token, [AUDIENCE]).body["status"]
            ["authenticated"])

        self.kube.delete_service_account("billing", "short-lived")
        seconds, status = poll_until_refused(self.kube, token)

        self.assertIn('serviceaccounts "short-lived" not found',
                      status["error"])
        self.assertLess(seconds, APISERVER_CACHE_S + REFUSAL_SLACK_S)

    def test_pod_bound_token_is_refused_after_its_pod_is_deleted(self):
        pod = self.kube.create_pod("billing", "web-1", "deployer")
        token = self.kube.token("billing", "deployer", AUDIENCE, pod=pod)
        status = self.kube.token_review(token, [AUDIENCE]).body["status"]
        self.assertTrue(status["authenticated"])
        self.assertEqual(
            status["user"]["extra"]["authentication.kubernetes.io/pod-uid"],
            [pod["metadata"]["uid"]])

        self.kube.delete_pod("billing", "web-1")
        seconds, status = poll_until_refused(self.kube, token)

        self.assertIn("service account token has been invalidated",
                      status["error"])
        self.assertLess(seconds, APISERVER_CACHE_S + REFUSAL_SLACK_S)

    def test_reviews_are_counted_in_the_api_servers_metrics(self) -> None:
        before = self.kube.token_reviews_served()

        for _ in range(3):
            self.kube.token_review("not.a.token", [AUDIENCE])

        # The API server counts a request once it has answered it.
        deadline = time.monotonic() + POLL_LIMIT_S
        while (self.kube.token_reviews_served() < before + 3 and
               time.monotonic() < deadline):
            time.sleep(0.1)
        self.assertEqual(self.kube.token_reviews_served(), before + 3)


class StoppedApiServerTest(unittest.TestCase):

    def test_stopped_api_server_refuses_connections_and_comes_back(self):
        with cluster.Cluster() as kube:
            kube.create_namespace("billing")
            kube.create_service_account("billing", "deployer")
            token = kube.token("billing", "deployer", AUDIENCE)

            kube.stop_apiserver()
            with self.assertRaises(ConnectionRefusedError):
                try:
                    kube.token_review(token, [AUDIENCE])
                except OSError as error:
                    raise getattr(error, "reason", error)
            kube.start_apiserver()

            # The same keys and etcd: the token minted before still passes.
            self.assertTrue(kube.token_review(token, [AUDIENCE])
                            .body["status"]["authenticated"])


class OidcIssuerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.kube = cluster.Cluster(issuer_on_loopback=True)
        cls.kube.__enter__()
        cls.addClassCleanup(cls.kube.stop)
        cls.oidc = cls.kube.oidc_issuer()

    def test_discovery_names_the_issuer_of_the_tokens(self) -> None:
        answer = self.kube.get("/.well-known/openid-configuration",
                               token=self.oidc.reader_token)

        self.assertEqual(answer.status, 200)
        self.assertEqual(answer.body["issuer"], self.oidc.issuer)
        self.assertEqual(answer.body["jwks_uri"], self.oidc.jwks_uri)
        self.kube.create_namespace("ci")
        self.kube.create_service_account("ci", "deployer")
        token = self.kube.token("ci", "deployer", AUDIENCE)
        self.assertEqual(cluster.jwt_claims(token)["iss"], self.oidc.issuer)

    def test_jwks_is_refused_to_a_client_accepting_only_json(self) -> None:
        # What a verifier must send: the JWKS's own media type.
        only_json = self.kube.get("/openid/v1/jwks",
                                  token=self.oidc.reader_token,
                                  accept="application/json")
        both = self.kube.get(
            "/openid/v1/jwks", token=self.oidc.reader_token,
            accept="application/json, application/jwk-set+json")

        self.assertEqual(only_json.status, 406)
        self.assertEqual(both.status, 200)
        self.assertTrue(both.body["keys"])

    def test_token_verifies_against_the_published_key(self) -> None:
        self.kube.create_namespace("gitlab")
        self.kube.create_service_account("gitlab", "runner")
        token = self.kube.token("gitlab", "runner", AUDIENCE)
        header = json.loads(cluster._b64url_decode(token.split(".")[0]))

        jwks = self.kube.get("/openid/v1/jwks",
                             token=self.oidc.reader_token).body

        key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
        self.assertEqual((key["kty"], key["alg"], header["alg"]),
                         ("RSA", "RS256", "RS256"))
        modulus = subprocess.run(
            ["openssl", "rsa", "-pubin", "-in", str(self.kube.sa_pub),
             "-noout", "-modulus"], check=True, capture_output=True,
            text=True).stdout.strip().split("=", 1)[1]
        self.assertEqual(int(modulus, 16), int.from_bytes(
            cluster._b64url_decode(key["n"]), "big"))
        signing_input, _, signature = token.rpartition(".")
        with tempfile.NamedTemporaryFile() as signature_file:
            signature_file.write(cluster._b64url_decode(signature))
            signature_file.flush()
            verified = subprocess.run(
                ["openssl", "dgst", "-sha256", "-verify",
                 str(self.kube.sa_pub), "-signature", signature_file.name],
                input=signing_input.encode(), capture_output=True)
        self.assertEqual(verified.returncode, 0, verified.stderr)

    def test_discovery_is_refused_anonymously_until_bound(self) -> None:
        refused = self.kube.get("/.well-known/openid-configuration", token="")
        self.assertIn(refused.status, (401, 403))

        self.kube.oidc_issuer(anonymous=True)

        answer = self.kube.get("/openid/v1/jwks", token="")
        self.assertEqual(answer.status, 200)
        self.assertTrue(answer.body["keys"])
        self.assertEqual(
            self.kube.get("/.well-known/openid-configuration", token="")
            .body["issuer"], self.oidc.issuer)


if __name__ == "__main__":
    unittest.main()
