{{/* Names, labels and the checks that need more than the schema. */}}

{{- define "vut.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name, at most 54 characters so that "-headless" still fits 63. */}}
{{- define "vut.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 54 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 54 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 54 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "vut.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "vut.labels" -}}
helm.sh/chart: {{ include "vut.chart" . }}
app.kubernetes.io/name: {{ include "vut.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: vercel-user-tokens
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selects the server's pods; fixed for the life of a release. */}}
{{- define "vut.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vut.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end }}

{{- define "vut.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "vut.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "vut.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The Secret holding the server's Vercel token, or "" when it has none. */}}
{{- define "vut.tokenSecretName" -}}
{{- if .Values.vercelToken.existingSecret }}
{{- .Values.vercelToken.existingSecret }}
{{- else if .Values.vercelToken.value }}
{{- printf "%s-vercel-token" (include "vut.fullname" .) }}
{{- end }}
{{- end }}

{{/* Where the Secrets are mounted in the server container. */}}
{{- define "vut.tokenDir" -}}/var/run/vercel-user-tokens/vercel-token{{- end }}
{{- define "vut.tlsDir" -}}/var/run/vercel-user-tokens/tls{{- end }}
{{- define "vut.clientCaDir" -}}/var/run/vercel-user-tokens/client-ca{{- end }}
{{- define "vut.kubernetesDir" -}}/var/run/vercel-user-tokens/kubernetes{{- end }}
{{- define "vut.oidcCaDir" -}}/var/run/vercel-user-tokens/oidc-ca{{- end }}
{{- define "vut.policyDir" -}}/etc/vercel-user-tokens/policy{{- end }}
{{- define "vut.frontProxyConfigDir" -}}/etc/vercel-user-tokens/front-proxy{{- end }}
{{- define "vut.frontProxyDir" -}}/var/run/vercel-user-tokens/front-proxy{{- end }}

{{/*
The front proxy's mode (files/front-proxy.conf.in): "mtls" when it checks
client certificates (tls.enabled and issuance.clientCa), "tls" with
tls.enabled alone, else "plain".
*/}}
{{- define "vut.frontProxyMode" -}}
{{- if not .Values.tls.enabled -}}
plain
{{- else if .Values.issuance.clientCa.existingSecret -}}
mtls
{{- else -}}
tls
{{- end }}
{{- end }}

{{/*
nginx's config: files/front-proxy.conf.in (the file tests/attacks attack
through) in the mode vut.frontProxyMode, with nginx on server.port, the
server on loopback and the pod's certificate files.
*/}}
{{- define "vut.frontProxyConfig" -}}
{{- $mode := include "vut.frontProxyMode" . }}
{{- $enabled := get (dict "plain" (list "plain") "tls" (list "tls") "mtls" (list "tls" "mtls")) $mode }}
{{- /* Without the file's leading comment, which explains the placeholders. */}}
{{- $body := regexReplaceAll "\\A(#.*\n)+" (.Files.Get "files/front-proxy.conf.in") "" }}
{{- range $m := list "plain" "tls" "mtls" }}
{{- if has $m $enabled }}
{{- $body = regexReplaceAll (printf "(?m)^#%s# " $m) $body "" }}
{{- else }}
{{- $body = regexReplaceAll (printf "(?m)^#%s# .*\n" $m) $body "" }}
{{- end }}
{{- end }}
{{- $body | replace "@LISTEN@" (printf "0.0.0.0:%d" (int .Values.server.port)) | replace "@UPSTREAM@" (include "vut.serverListen" .) | replace "@DIR@" (include "vut.frontProxyDir" .) | replace "@TLS_CERT@" (printf "%s/tls.crt" (include "vut.tlsDir" .)) | replace "@TLS_KEY@" (printf "%s/tls.key" (include "vut.tlsDir" .)) | replace "@CLIENT_CA@" (printf "%s/ca.crt" (include "vut.clientCaDir" .)) }}
{{- end }}

{{/*
The front proxy container's command: nginx itself in the "plain" mode;
with TLS, files/front-proxy-run.sh, which reloads nginx when the serving
certificate, its key or the client CAs change (every
tls.reloadIntervalSeconds).
*/}}
{{- define "vut.frontProxyCommand" -}}
{{- if .Values.tls.enabled }}
- /bin/sh
- {{ include "vut.frontProxyConfigDir" . }}/front-proxy-run.sh
- {{ .Values.tls.reloadIntervalSeconds | quote }}
- {{ include "vut.tlsDir" . }}/tls.crt
- {{ include "vut.tlsDir" . }}/tls.key
{{- if .Values.issuance.clientCa.existingSecret }}
- {{ include "vut.clientCaDir" . }}/ca.crt
{{- end }}
- --
{{- else }}
- /usr/sbin/nginx
{{- end }}
- -p
- {{ include "vut.frontProxyDir" . }}
- -c
- {{ include "vut.frontProxyConfigDir" . }}/nginx.conf
- -e
- stderr
{{- end }}

{{/* The server's --listen address: loopback behind the front proxy. */}}
{{- define "vut.serverListen" -}}
{{- if .Values.frontProxy.enabled -}}
127.0.0.1:{{ .Values.frontProxy.upstreamPort }}
{{- else -}}
0.0.0.0:{{ .Values.server.port }}
{{- end }}
{{- end }}

{{/*
The CLI's plaintext health check of the server on loopback, as an argv list:
the exec probe of a server behind the front proxy, which the kubelet cannot
reach. Takes (dict "root" $ "timeout" seconds "service" name).
*/}}
{{- define "vut.loopbackHealthCommand" -}}
- /usr/local/bin/vercel-tokens
- health
- --health_service={{ .service }}
- --server={{ include "vut.serverListen" .root }}
- --timeout={{ .timeout }}s
- --wait_for_ready
{{- end }}
{{- define "vut.storeKeyDir" -}}/var/run/vercel-user-tokens/store-key{{- end }}
{{- define "vut.storePasswordDir" -}}/var/run/vercel-user-tokens/store-password{{- end }}
{{- define "vut.storeCaDir" -}}/var/run/vercel-user-tokens/store-ca{{- end }}

{{/* The ConfigMap holding the policy; empty when there is no policy. */}}
{{- define "vut.policyConfigMapName" -}}
{{- if .Values.issuance.policy.enabled -}}
{{- .Values.issuance.policy.existingConfigMap | default (printf "%s-policy" (include "vut.fullname" .)) -}}
{{- end -}}
{{- end }}

{{/* The name the probes and the test check the server's certificate for. */}}
{{- define "vut.tlsServerName" -}}
{{- default (printf "%s.%s.svc" (include "vut.fullname" .) .Release.Namespace) .Values.tls.serverName }}
{{- end }}

{{/*
The CLI's health check against the server, as an argv list: the exec probe of
a TLS-only listener. Takes (dict "root" $ "timeout" seconds "service" name),
the service being one of the server's named health services (liveness,
readiness).
*/}}
{{- define "vut.tlsHealthCommand" -}}
{{- $v := .root.Values }}
- /usr/local/bin/vercel-tokens
- health
- --health_service={{ .service }}
- --tls
{{- if $v.tls.caKey }}
- --tls_ca_file={{ include "vut.tlsDir" .root }}/ca.crt
{{- end }}
{{- if $v.issuance.clientCa.probeClientSecret }}
- --tls_cert_file={{ include "vut.probeClientDir" .root }}/tls.crt
- --tls_key_file={{ include "vut.probeClientDir" .root }}/tls.key
{{- else if $v.issuance.clientCa.existingSecret }}
- --tls_cert_file={{ include "vut.tlsDir" .root }}/tls.crt
- --tls_key_file={{ include "vut.tlsDir" .root }}/tls.key
{{- end }}
- --tls_server_name={{ include "vut.tlsServerName" .root }}
- --server=localhost:{{ $v.server.port }}
- --timeout={{ .timeout }}s
- --wait_for_ready
{{- end }}

{{/* TLS flags of the CLI in the test pods: the CA and the test client's certificate, never the server's key. */}}
{{- define "vut.testTlsArgs" -}}
{{- if .Values.tls.enabled }}
- --tls
{{- if .Values.tls.caKey }}
- --tls_ca_file={{ include "vut.tlsDir" . }}/ca.crt
{{- end }}
- --tls_server_name={{ include "vut.tlsServerName" . }}
{{- end }}
{{- if .Values.issuance.clientCa.testClientSecret }}
- --tls_cert_file={{ include "vut.testClientDir" . }}/tls.crt
- --tls_key_file={{ include "vut.testClientDir" . }}/tls.key
{{- end }}
{{- end }}

{{- define "vut.testClientDir" -}}/var/run/vercel-user-tokens/test-client{{- end }}

{{/*
The mounts of a test container: the CA when the CLI needs it, and the test
client's certificate when the server requires one.
*/}}
{{- define "vut.testCaMount" -}}
{{- $ca := and .Values.tls.enabled .Values.tls.caKey }}
{{- $client := .Values.issuance.clientCa.testClientSecret }}
{{- if or $ca $client }}
volumeMounts:
  {{- if $ca }}
  - name: tls-ca
    mountPath: {{ include "vut.tlsDir" . }}
    readOnly: true
  {{- end }}
  {{- if $client }}
  - name: test-client
    mountPath: {{ include "vut.testClientDir" . }}
    readOnly: true
  {{- end }}
{{- end }}
{{- end }}

{{/* Volumes and placement of a test pod. */}}
{{- define "vut.testPodPlacement" -}}
{{- $ca := and .Values.tls.enabled .Values.tls.caKey }}
{{- $client := .Values.issuance.clientCa.testClientSecret }}
{{- if or $ca $client }}
volumes:
  {{- if $ca }}
  {{- /* Only the CA: the test pods never see the server's key. */}}
  - name: tls-ca
    secret:
      secretName: {{ include "vut.tlsSecretName" . }}
      defaultMode: 0440
      optional: true
      items:
        - key: {{ .Values.tls.caKey }}
          path: ca.crt
  {{- end }}
  {{- if $client }}
  - name: test-client
    secret:
      secretName: {{ $client }}
      defaultMode: 0440
  {{- end }}
{{- end }}
{{- with .Values.test.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.test.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Cross-field rules JSON Schema cannot state; rendered by every template that
depends on them so that `helm template` and `helm install` fail early.
*/}}
{{- define "vut.validate" -}}
{{- if and .Values.issuance.trustForwardedClientCert .Values.tls.enabled }}
{{- fail "issuance.trustForwardedClientCert cannot go with tls.enabled: with an in-process TLS listener no sidecar sets the header, and a header must never override a verified certificate" }}
{{- end }}
{{- $review := .Values.issuance.kubernetesTokenReview }}
{{- if and $review.enabled .Values.networkPolicy.enabled (not $review.apiServerTo) }}
{{- fail "issuance.kubernetesTokenReview.apiServerTo is required with networkPolicy.enabled: the API server's endpoint addresses (kubectl get endpoints kubernetes), e.g. [{ipBlock: {cidr: 172.18.0.2/32}}]" }}
{{- end }}
{{- if and .Values.issuance.clientCa.existingSecret (not .Values.tls.enabled) }}
{{- fail "issuance.clientCa needs tls.enabled: client certificates are checked in the TLS handshake" }}
{{- end }}
{{- $federation := .Values.issuance.federation }}
{{- if and $federation.enabled (not .Values.issuance.policy.enabled) }}
{{- fail "issuance.federation.enabled needs issuance.policy.enabled: trusted issuers are read from the policy file" }}
{{- end }}
{{- if and $federation.trustedIssuers .Values.issuance.policy.existingConfigMap }}
{{- fail "issuance.federation.trustedIssuers cannot go with issuance.policy.existingConfigMap: put trusted_issuers into that ConfigMap's policy JSON" }}
{{- end }}
{{- if and $federation.enabled (not .Values.issuance.policy.existingConfigMap) (not $federation.trustedIssuers) }}
{{- fail "issuance.federation.enabled needs issuance.federation.trustedIssuers (or issuance.policy.existingConfigMap naming them): no issuer would be trusted" }}
{{- end }}
{{- if and .Values.issuance.policy.enabled (not .Values.issuance.policy.existingConfigMap) (not .Values.issuance.policy.rules) }}
{{- fail "issuance.policy.enabled needs issuance.policy.rules or issuance.policy.existingConfigMap: an empty policy denies every call" }}
{{- end }}
{{- $v := .Values }}
{{- $needed := add $v.preStopSleepSeconds $v.server.drainDelaySeconds $v.server.shutdownGraceSeconds $v.issuance.orphanGraceSeconds $v.issuance.orphanRevokeTimeoutSeconds }}
{{- if $v.frontProxy.enabled }}
{{- if has (int $v.frontProxy.upstreamPort) (list (int $v.server.port) (int $v.metrics.port)) }}
{{- fail (printf "frontProxy.upstreamPort (%d) must differ from server.port and metrics.port: nginx listens on server.port, the server on 127.0.0.1:upstreamPort" (int $v.frontProxy.upstreamPort)) }}
{{- end }}
{{- end }}
{{- if le (int $v.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed preStopSleepSeconds + server.drainDelaySeconds + server.shutdownGraceSeconds + issuance.orphanGraceSeconds + issuance.orphanRevokeTimeoutSeconds (%d), or the kubelet kills calls still in flight or the revocation of an orphaned token" (int $v.terminationGracePeriodSeconds) (int $needed)) }}
{{- end }}
{{- with $v.issuance.idempotencyStore }}
{{- if and .address (not .keySecret.name) }}
{{- fail "issuance.idempotencyStore.address needs issuance.idempotencyStore.keySecret.name: stored responses are encrypted with its keys" }}
{{- end }}
{{- end }}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
{{- fail (printf "autoscaling.minReplicas (%d) exceeds autoscaling.maxReplicas (%d)" (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
{{- end }}
{{- if $v.podDisruptionBudget.enabled }}
{{- $replicas := ternary $v.autoscaling.minReplicas $v.replicaCount $v.autoscaling.enabled }}
{{- $min := $v.podDisruptionBudget.minAvailable }}
{{- if and (not (kindIs "invalid" $min)) (not (kindIs "string" $min)) (ge (int $min) (int $replicas)) }}
{{- fail (printf "podDisruptionBudget.minAvailable (%d) must be below the replica count (%d), or no pod could ever be evicted and node drains would hang" (int $min) (int $replicas)) }}
{{- end }}
{{- end }}
{{- if and $v.autoscaling.enabled (not (dig "requests" "cpu" "" $v.resources)) }}
{{- fail "autoscaling.enabled needs resources.requests.cpu: the HorizontalPodAutoscaler scales on CPU utilization of the request" }}
{{- end }}
{{- end }}
