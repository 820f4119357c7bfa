#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_TEST_CERTIFICATES_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_TEST_CERTIFICATES_H_

#include "absl/strings/string_view.h"

// Self-signed P-256 certificates (valid until 2126) for the tests of
// certificate names read from PEM. Made with
//   openssl req -new -x509 -key k.pem -days 36500 -subj ... -addext
//   "subjectAltName=..."

namespace vercel_tokens {

// CN=deployer; SANs DNS:deployer.ci.svc,
// URI:spiffe://cluster.local/ns/ci/sa/deployer, DNS:other.svc.
inline constexpr absl::string_view kUriCertPem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB0TCCAXagAwIBAgIUc6H9Uxc+RzXomWlotzv/9vhxifgwCgYIKoZIzj0EAwIw\n"
    "EzERMA8GA1UEAwwIZGVwbG95ZXIwIBcNMjYxMjA1MjMxMjUzWhgPMjEyNjExMTEy\n"
    "MzEyNTNaMBMxETAPBgNVBAMMCGRlcGxveWVyMFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
    "AQcDQgAEfHlUnmSuc70j9EEyAw6nT6bOmNSZgT+cGLxKdPkkUTLHrM1mumoH3nDc\n"
    "j8ub9CWJUNZzJkwdz4xZGm6PO0aZ9qOBpTCBojAdBgNVHQ4EFgQUUDooFia1luib\n"
    "ZtSe06o85lxghMMwHwYDVR0jBBgwFoAUUDooFia1luibZtSe06o85lxghMMwDwYD\n"
    "VR0TAQH/BAUwAwEB/zBPBgNVHREESDBGgg9kZXBsb3llci5jaS5zdmOGKHNwaWZm\n"
    "ZTovL2NsdXN0ZXIubG9jYWwvbnMvY2kvc2EvZGVwbG95ZXKCCW90aGVyLnN2YzAK\n"
    "BggqhkjOPQQDAgNJADBGAiEAvd7cgciIPL5lKNne2aeP19H01Rua2pURXmMSDOOr\n"
    "mSgCIQC+7v55VGkD/fOpnGJpUudMwBNkJ/6boJrlTvZrz73c2g==\n"
    "-----END CERTIFICATE-----\n";

// CN=deployer; SAN DNS:deployer.ci.svc.
inline constexpr absl::string_view kDnsCertPem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBmDCCAT+gAwIBAgIUTuHren5tjxgdIooSAo0ganaNxvgwCgYIKoZIzj0EAwIw\n"
    "EzERMA8GA1UEAwwIZGVwbG95ZXIwIBcNMjYxMjA1MjMxMjUzWhgPMjEyNjExMTEy\n"
    "MzEyNTNaMBMxETAPBgNVBAMMCGRlcGxveWVyMFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
    "AQcDQgAEfHlUnmSuc70j9EEyAw6nT6bOmNSZgT+cGLxKdPkkUTLHrM1mumoH3nDc\n"
    "j8ub9CWJUNZzJkwdz4xZGm6PO0aZ9qNvMG0wHQYDVR0OBBYEFFA6KBYmtZbom2bU\n"
    "ntOqPOZcYITDMB8GA1UdIwQYMBaAFFA6KBYmtZbom2bUntOqPOZcYITDMA8GA1Ud\n"
    "EwEB/wQFMAMBAf8wGgYDVR0RBBMwEYIPZGVwbG95ZXIuY2kuc3ZjMAoGCCqGSM49\n"
    "BAMCA0cAMEQCIEWPQ7kQP/0OO4gmGnAt6vn+QGargI2O0c9QikqVE9uuAiBi5ZGY\n"
    "yyagIFb7cIkjzMH4n0KfYEe+bTQ/EphtgCxCIw==\n"
    "-----END CERTIFICATE-----\n";

// O=x, CN=José (UTF-8); no SAN.
inline constexpr absl::string_view kCnCertPem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjTCCATSgAwIBAgITI7D1FulTyTysYxebOinrxibopDAKBggqhkjOPQQDAjAc\n"
    "MQowCAYDVQQKDAF4MQ4wDAYDVQQDDAVKb3PDqTAgFw0yNjEyMDUyMzEyNTZaGA8y\n"
    "MTI2MTExMTIzMTI1NlowHDEKMAgGA1UECgwBeDEOMAwGA1UEAwwFSm9zw6kwWTAT\n"
    "BgcqhkjOPQIBBggqhkjOPQMBBwNCAAR8eVSeZK5zvSP0QTIDDqdPps6Y1JmBP5wY\n"
    "vEp0+SRRMseszWa6agfecNyPy5v0JYlQ1nMmTB3PjFkabo87Rpn2o1MwUTAdBgNV\n"
    "HQ4EFgQUUDooFia1luibZtSe06o85lxghMMwHwYDVR0jBBgwFoAUUDooFia1luib\n"
    "ZtSe06o85lxghMMwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAc\n"
    "3eRltJkixoD+ucrfx6p43lzqhXYLzpaxAdKhvbq5NwIgczx7gZ7+hIjl+OJS7anU\n"
    "15D83fmiB1V9Kv3QeD6410E=\n"
    "-----END CERTIFICATE-----\n";

// O=nobody; no SAN, no CN: no usable name.
inline constexpr absl::string_view kNoneCertPem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBeTCCAR+gAwIBAgIURq/583ZbMoLro+NtnAFgYyrpf44wCgYIKoZIzj0EAwIw\n"
    "ETEPMA0GA1UECgwGbm9ib2R5MCAXDTI2MTIwNTIzMTI1M1oYDzIxMjYxMTExMjMx\n"
    "MjUzWjARMQ8wDQYDVQQKDAZub2JvZHkwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC\n"
    "AAR8eVSeZK5zvSP0QTIDDqdPps6Y1JmBP5wYvEp0+SRRMseszWa6agfecNyPy5v0\n"
    "JYlQ1nMmTB3PjFkabo87Rpn2o1MwUTAdBgNVHQ4EFgQUUDooFia1luibZtSe06o8\n"
    "5lxghMMwHwYDVR0jBBgwFoAUUDooFia1luibZtSe06o85lxghMMwDwYDVR0TAQH/\n"
    "BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA46aisXi02l13XEVZaSHDUuv/jDci\n"
    "EppbKCaaIgJWBGQCIAfI2NgEdzorIWebpdaFrKifI/j9n11UblnIq0w+Vmj7\n"
    "-----END CERTIFICATE-----\n";

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_TEST_CERTIFICATES_H_
