#!/usr/bin/python3
"""What the chart renders for the shared idempotency store (an existing
Redis or Valkey, its password and key Secrets) and for the termination
budget that covers orphaned creates and their revocations."""

import unittest

import chart

STORE = [
    "issuance.idempotencyStore.address=redis://redis.cache:6380/2",
    "issuance.idempotencyStore.keySecret.name=tokens-store-keys",
    "issuance.idempotencyStore.passwordSecret.name=tokens-store-password",
    "issuance.idempotencyStore.unavailable=memory",
]


def failure(set_values):
    """helm template's stderr for set_values; fails the test if it renders."""
    result = chart.helm(*chart.template_args(set_values=set_values))
    assert result.returncode != 0, "rendered although it should fail"
    return result.stderr


class StoreTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render(set_values=STORE)

    def mounted(self, flag, volume_name):
        folder, name = self.m.flag(flag).rsplit("/", 1)
        (mount,) = [v for v in self.m.server_container()["volumeMounts"]
                    if v["name"] == volume_name]
        self.assertEqual((mount["mountPath"], mount["readOnly"]),
                         (folder, True))
        (volume,) = [v for v in self.m.pod_spec()["volumes"]
                     if v["name"] == volume_name]
        return name, volume["secret"]

    def test_server_flags_name_the_store(self):
        self.assertEqual(self.m.flag("idempotency_store"),
                         "redis://redis.cache:6380/2")
        self.assertEqual(self.m.flag("idempotency_store_unavailable"),
                         "memory")

    def test_keys_and_password_are_read_only_files_from_their_secrets(self):
        name, secret = self.mounted("idempotency_store_key_file", "store-key")
        self.assertEqual(secret["secretName"], "tokens-store-keys")
        self.assertEqual(secret["items"], [{"key": "keys", "path": name}])
        name, secret = self.mounted("idempotency_store_password_file",
                                    "store-password")
        self.assertEqual(secret["secretName"], "tokens-store-password")
        self.assertEqual(secret["items"], [{"key": "password", "path": name}])

    def test_network_policy_lets_the_pods_reach_the_store_port(self):
        egress = self.m.get("NetworkPolicy")["spec"]["egress"]
        ports = [p["port"] for rule in egress for p in rule["ports"]]
        self.assertIn(6380, ports)

    def test_defaults_keep_memory_and_mount_nothing(self):
        m = chart.render()
        self.assertIsNone(m.flag("idempotency_store"))
        self.assertIsNone(m.flag("idempotency_store_key_file"))
        self.assertEqual(m.flag("orphan_revoke_timeout"), "10s")

    def test_an_address_without_keys_fails(self):
        self.assertIn(
            "keySecret",
            failure(["issuance.idempotencyStore.address=redis://r:6379"]))

    def test_tls_renders_rediss_and_trusts_the_ca_secret(self):
        m = chart.render(set_values=STORE + [
            "issuance.idempotencyStore.tls=true",
            "issuance.idempotencyStore.caSecret.name=tokens-store-ca"])
        self.assertEqual(m.flag("idempotency_store"),
                         "rediss://redis.cache:6380/2")
        folder, name = m.flag("idempotency_store_ca_file").rsplit("/", 1)
        (volume,) = [v for v in m.pod_spec()["volumes"]
                     if v["name"] == "store-ca"]
        self.assertEqual(volume["secret"]["secretName"], "tokens-store-ca")
        self.assertEqual(volume["secret"]["items"],
                         [{"key": "ca.crt", "path": name}])
        self.assertIsNone(self.m.flag("idempotency_store_ca_file"))


class TerminationBudgetTest(unittest.TestCase):

    def test_grace_covers_drain_shutdown_orphan_grace_and_revocation(self):
        m = chart.render()
        budget = (int(m.server_container()["lifecycle"]["preStop"]["exec"]
                      ["command"][1]) +
                  sum(int(m.flag(f)[:-1]) for f in
                      ("drain_delay", "shutdown_grace", "orphan_grace",
                       "orphan_revoke_timeout")))
        self.assertGreater(m.pod_spec()["terminationGracePeriodSeconds"],
                           budget)

    def test_an_orphan_grace_the_kubelet_would_cut_short_fails(self):
        # 5 s pause + 10 s shutdown + 60 s orphan grace + 10 s revocation
        # against the default 45 s.
        self.assertIn("issuance.orphanGraceSeconds",
                      failure(["issuance.orphanGraceSeconds=60"]))


if __name__ == "__main__":
    unittest.main()
