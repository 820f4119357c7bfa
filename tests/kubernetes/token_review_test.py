"""The server's Kubernetes workload identity against a real kube-apiserver.

The server runs with --kubernetes_token_review against the control plane of
cluster.py (its own CA, a reviewer bound to system:auth-delegator) and the
fake Vercel API; callers send TokenRequest tokens in x-workload-token. The
policy lets billing/deployer (and billing/leaver, whose account the tests
delete) list tokens with the server's token, and also
lets anonymous callers list them, so a refused workload token that fell back
to anonymous would show as a success.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import time
import unittest

import cluster
import grpc_call
import server_stack

AUDIENCE = "vercel-user-tokens"
DEPLOYER = "spiffe://cluster.local/ns/billing/sa/deployer"
POLICY = {"rules": [
    {"callers": [DEPLOYER, "spiffe://cluster.local/ns/billing/sa/leaver"],
     "allowed_rpcs": ["ListAuthTokens", "CreateAuthToken"],
     "use_server_token": True,
     "create": {"default_ttl": "900s", "name_prefix": "billing-"}},
    {"callers": ["spiffe://cluster.local/ns/billing/sa/reader"],
     "allowed_rpcs": ["GetAuthToken"], "use_server_token": True},
    {"callers": ["anonymous"], "allowed_rpcs": ["ListAuthTokens"],
     "use_server_token": True},
]}
# A deleted ServiceAccount's token passes for up to 10 s of the API server's
# cache plus 10 s of the server's; the slack covers the calls themselves on a
# busy machine.
APISERVER_CACHE_S = 10
SERVER_CACHE_S = 10
REFUSAL_SLACK_S = 5
POLL_LIMIT_S = 90
GARBAGE_TOKENS = 300
LOG_WAIT_S = 10


def server_flags(kube: cluster.Cluster,
                 reviewer_token: str = cluster.REVIEWER_TOKEN
                 ) -> tuple[str, ...]:
    token_file = kube.write_token_file(
        f"reviewer-{hashlib.sha256(reviewer_token.encode()).hexdigest()}",
        reviewer_token)
    return ("--kubernetes_token_review",
            f"--kubernetes_api_url={kube.url}",
            f"--kubernetes_ca_file={kube.ca_file}",
            f"--kubernetes_token_file={token_file}")


def list_tokens(stack: server_stack.ServerStack,
                token: str | None) -> grpc_call.Reply:
    return stack.call("ListAuthTokens", token)


def listed(reply: grpc_call.Reply) -> int:
    """How many tokens a ListAuthTokens answer holds."""
    return sum(1 for number, _ in grpc_call.fields(reply.body) if number == 1)


def b64url(data: bytes) -> str:
    return cluster._b64url(data)


def garbage_tokens(kube: cluster.Cluster, count: int) -> list[str]:
    """`count` distinct tokens that cannot be valid and that a local look
    refutes: not JWTs, bad base64, algorithms none and HS256, expired, for
    another audience. (One over 8 KiB never reaches the server: gRPC's
    header-list limit is 8 KiB.)"""
    now = int(time.time())
    shapes = []
    for i in range(count):
        kind = i % 6
        if kind == 0:
            shapes.append(f"garbage-{i}")
        elif kind == 1:
            shapes.append(f"a.b.c{i}!*")
        elif kind == 2:
            header = b64url(json.dumps({"alg": "none"}).encode())
            claims = b64url(json.dumps({"aud": [AUDIENCE], "exp": now + 600,
                                        "n": i}).encode())
            shapes.append(f"{header}.{claims}.")
        elif kind == 3:
            header = b64url(json.dumps({"alg": "RS256"}).encode())
            claims = b64url(json.dumps({"aud": [AUDIENCE], "exp": now - 600,
                                        "n": i}).encode())
            shapes.append(f"{header}.{claims}.c2ln")
        elif kind == 4:
            header = b64url(json.dumps({"alg": "RS256"}).encode())
            claims = b64url(json.dumps({"aud": ["other"], "exp": now + 600,
                                        "n": i}).encode())
            shapes.append(f"{header}.{claims}.c2ln")
        else:
            header = b64url(json.dumps({"alg": "HS256"}).encode())
            claims = b64url(json.dumps({"aud": [AUDIENCE], "exp": now + 600,
                                        "n": i}).encode())
            shapes.append(f"{header}.{claims}.c2ln")
    return shapes


class TokenReviewTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.kube = cluster.Cluster()
        cls.kube.__enter__()
        cls.addClassCleanup(cls.kube.stop)
        cls.kube.create_namespace("billing")
        cls.kube.create_service_account("billing", "deployer")
        cls.kube.create_service_account("billing", "reader")

    def start(self, *flags: str) -> server_stack.ServerStack:
        stack = server_stack.ServerStack(flags or server_flags(self.kube),
                                         POLICY)
        stack.__enter__()
        self.addCleanup(stack.__exit__)
        return stack

    def assert_refused(self, reply: grpc_call.Reply, code: int,
                       reason: str) -> None:
        self.assertEqual((reply.code, reply.reason()), (code, reason),
                         str(reply))

    def poll_until_refused(self, stack: server_stack.ServerStack,
                           token: str) -> tuple[float, grpc_call.Reply]:
        """Lists with `token` while the server allows it; returns the
        seconds until it refused, and the refusal."""
        started = time.monotonic()
        while time.monotonic() - started < POLL_LIMIT_S:
            reply = list_tokens(stack, token)
            if reply.code != grpc_call.OK:
                return time.monotonic() - started, reply
            time.sleep(0.25)
        raise AssertionError(f"still allowed after {POLL_LIMIT_S} s")

    def test_right_audience_calls_as_the_service_accounts_spiffe_id(self):
        stack = self.start()
        token = self.kube.token("billing", "deployer", AUDIENCE)

        reply = list_tokens(stack, token)

        self.assertEqual(reply.code, grpc_call.OK, str(reply))
        self.assertEqual(listed(reply), 1)
        logged = json.loads(stack.wait_for_log(f'"caller":"{DEPLOYER}"',
                                               LOG_WAIT_S))
        self.assertEqual((logged["method"], logged["code"]),
                         ("ListAuthTokens", "OK"))
        # The same cluster's other account has no rule for ListAuthTokens.
        other = list_tokens(stack, self.kube.token("billing", "reader",
                                                   AUDIENCE))
        self.assertEqual(other.code, grpc_call.PERMISSION_DENIED, str(other))
        self.assertIn("spiffe://cluster.local/ns/billing/sa/reader",
                      other.message)
        self.assertNotIn(token, stack.log())

    def test_audit_line_records_the_kubernetes_identity(self) -> None:
        stack = self.start()
        account = self.kube.get(
            "/api/v1/namespaces/billing/serviceaccounts/deployer").body
        pod = self.kube.create_pod("billing", "deployer-audit", "deployer")
        token = self.kube.token("billing", "deployer", AUDIENCE, pod=pod)

        reply = stack.call("CreateAuthToken", token,
                           grpc_call.encode_strings(f3="billing-release"))

        self.assertEqual(reply.code, grpc_call.OK, str(reply))
        audit = json.loads(stack.wait_for_log('"log":"audit"', LOG_WAIT_S))
        self.assertEqual(
            {key: audit.get(key) for key in (
                "caller", "caller_source", "service_account_uid", "pod_name",
                "pod_uid")},
            {"caller": DEPLOYER, "caller_source": "kubernetes",
             "service_account_uid": account["metadata"]["uid"],
             "pod_name": "deployer-audit", "pod_uid": pod["metadata"]["uid"]})
        self.assertIn(cluster.jwt_claims(token)["jti"],
                      audit["credential_id"])
        self.assertNotIn(token, stack.log())

    def test_reviewer_may_be_a_service_account_as_in_a_cluster(self):
        # As the chart deploys it: the server's own ServiceAccount, bound to
        # system:auth-delegator, its token for the API server's audience.
        self.kube.create_namespace("vut")
        self.kube.create_service_account("vut", "server")
        self.kube.bind_cluster_role(
            "vut-server-auth-delegator", "system:auth-delegator",
            {"kind": "ServiceAccount", "name": "server", "namespace": "vut"})
        stack = self.start(*server_flags(self.kube,
                                         self.kube.token("vut", "server")))

        reply = list_tokens(stack, self.kube.token("billing", "deployer",
                                                   AUDIENCE))

        self.assertEqual(reply.code, grpc_call.OK, str(reply))

    def test_wrong_audience_is_refused(self) -> None:
        stack = self.start()
        token = self.kube.token("billing", "deployer", "something-else")

        reply = list_tokens(stack, token)

        self.assert_refused(reply, grpc_call.UNAUTHENTICATED,
                            "WORKLOAD_TOKEN_AUDIENCE")

    def test_expired_token_is_refused(self) -> None:
        stack = self.start()
        token = self.kube.expired_token("billing", "deployer", AUDIENCE)

        reply = list_tokens(stack, token)

        self.assert_refused(reply, grpc_call.UNAUTHENTICATED,
                            "WORKLOAD_TOKEN_EXPIRED")

    def test_deleted_service_account_is_refused_within_both_caches(self):
        stack = self.start()
        self.kube.create_service_account("billing", "leaver")
        token = self.kube.token("billing", "leaver", AUDIENCE)
        self.assertEqual(list_tokens(stack, token).code, grpc_call.OK)

        self.kube.delete_service_account("billing", "leaver")
        seconds, reply = self.poll_until_refused(stack, token)

        self.assert_refused(reply, grpc_call.UNAUTHENTICATED,
                            "WORKLOAD_TOKEN_INVALID")
        self.assertLess(seconds, APISERVER_CACHE_S + SERVER_CACHE_S +
                        REFUSAL_SLACK_S)

    def test_pod_bound_token_is_refused_after_its_pod_is_deleted(self):
        stack = self.start()
        pod = self.kube.create_pod("billing", "deployer-1", "deployer")
        token = self.kube.token("billing", "deployer", AUDIENCE, pod=pod)
        self.assertEqual(list_tokens(stack, token).code, grpc_call.OK)

        self.kube.delete_pod("billing", "deployer-1")
        seconds, reply = self.poll_until_refused(stack, token)

        self.assert_refused(reply, grpc_call.UNAUTHENTICATED,
                            "WORKLOAD_TOKEN_INVALID")
        self.assertLess(seconds, APISERVER_CACHE_S + SERVER_CACHE_S +
                        REFUSAL_SLACK_S)

    def test_reviewer_without_auth_delegator_is_a_misconfiguration(self):
        stack = self.start(*server_flags(self.kube,
                                         cluster.UNBOUND_REVIEWER_TOKEN))
        token = self.kube.token("billing", "deployer", AUDIENCE)
        sent_before = len(stack.vercel_requests())

        reply = list_tokens(stack, token)

        self.assert_refused(reply, grpc_call.UNAVAILABLE,
                            "IDENTITY_MISCONFIGURED")
        self.assertEqual(len(stack.vercel_requests()), sent_before)

    def test_stopped_api_server_is_unavailable_never_anonymous(self):
        stack = self.start()
        # Never reviewed before, so no cache can answer for it.
        token = self.kube.token("billing", "deployer", AUDIENCE)
        self.assertEqual(list_tokens(stack, None).code, grpc_call.OK)
        sent_before = len(stack.vercel_requests())
        self.kube.stop_apiserver()
        self.addCleanup(self.kube.start_apiserver)

        reply = list_tokens(stack, token)

        self.assert_refused(reply, grpc_call.UNAVAILABLE,
                            "IDENTITY_UNAVAILABLE")
        self.assertIn(grpc_call.RETRY_INFO, reply.details)
        self.assertEqual(len(stack.vercel_requests()), sent_before)

    def test_calls_with_one_token_share_one_review(self) -> None:
        stack = self.start()
        token = self.kube.token("billing", "deployer", AUDIENCE)
        reviews_before = self.kube.token_reviews_served()

        # Twenty at once, then ten more one after another, all within the
        # cache's 10 s.
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            replies = list(pool.map(lambda _: list_tokens(stack, token),
                                    range(20)))
        replies += [list_tokens(stack, token) for _ in range(10)]

        self.assertEqual({r.code for r in replies}, {grpc_call.OK})
        self.assertEqual(self.reviews_since(reviews_before), 1)

    def reviews_since(self, before: int) -> int:
        """The TokenReviews the API server has answered since it had
        answered `before`, once at least one more is counted (the API
        server counts a request as it finishes answering it)."""
        deadline = time.monotonic() + LOG_WAIT_S
        while (self.kube.token_reviews_served() == before and
               time.monotonic() < deadline):
            time.sleep(0.1)
        return self.kube.token_reviews_served() - before

    def test_garbage_token_flood_costs_no_review(self) -> None:
        stack = self.start()
        tokens = garbage_tokens(self.kube, GARBAGE_TOKENS)
        reviews_before = self.kube.token_reviews_served()
        sent_before = len(stack.vercel_requests())

        replies = [list_tokens(stack, token) for token in tokens]

        self.assertEqual(
            {(r.code, r.reason()) for r in replies},
            {(grpc_call.UNAUTHENTICATED, "WORKLOAD_TOKEN_INVALID"),
             (grpc_call.UNAUTHENTICATED, "WORKLOAD_TOKEN_EXPIRED"),
             (grpc_call.UNAUTHENTICATED, "WORKLOAD_TOKEN_AUDIENCE")})
        self.assertEqual(self.kube.token_reviews_served(), reviews_before)
        self.assertEqual(len(stack.vercel_requests()), sent_before)


if __name__ == "__main__":
    unittest.main()
