{{/*
Extension points (commonAnnotations, the listener's Secret and certificate,
the probes' client credential) and the render-time refusals of unsafe
combinations that JSON Schema cannot state.
*/}}

{{/*
An object's `annotations:` block, indented for its metadata and preceded by
a newline: its own (`extra`) over commonAnnotations; nothing at all when
both are empty. Takes (dict "root" $ "extra" map).
*/}}
{{- define "vut.annotations" -}}
{{- $all := merge (deepCopy (.extra | default dict)) (deepCopy (.root.Values.commonAnnotations | default dict)) }}
{{- with $all }}
{{ printf "annotations:\n%s" (toYaml . | indent 2) | indent 2 }}
{{- end }}
{{- end }}

{{/* The kubernetes.io/tls Secret of the listener: tls.existingSecret, or the one tls.certManager writes. */}}
{{- define "vut.tlsSecretName" -}}
{{- if .Values.tls.existingSecret }}
{{- .Values.tls.existingSecret }}
{{- else if .Values.tls.certManager.enabled }}
{{- printf "%s-tls" (include "vut.fullname" .) }}
{{- end }}
{{- end }}

{{/* Where the probes' own client certificate is mounted (issuance.clientCa.probeClientSecret). */}}
{{- define "vut.probeClientDir" -}}/var/run/vercel-user-tokens/probe-client{{- end }}

{{/*
The Service's appProtocol, as meshes read it: `grpc` (HTTP/2 in clear text)
for a plaintext listener; `https` for a TLS listener, which Istio and GKE
treat as TLS the pod terminates itself (Istio would otherwise try to parse
the TLS bytes as HTTP/2 and break meshed clients).
*/}}
{{- define "vut.appProtocol" -}}
{{- ternary "https" "grpc" .Values.tls.enabled }}
{{- end }}

{{/*
Whether a disruption budget of `value` (an integer or a percentage) over
`replicas` pods keeps `field` (minAvailable or maxUnavailable) from ever
allowing an eviction: prints the reason, or nothing. Takes (dict "value" v
"replicas" n "field" name). Percentages round as the eviction API does:
minAvailable up, maxUnavailable down.
*/}}
{{- define "vut.budgetBlocks" -}}
{{- $n := int .replicas }}
{{- $v := .value }}
{{- $count := 0 }}
{{- if kindIs "string" $v }}
{{- $pct := int (trimSuffix "%" $v) }}
{{- if eq .field "minAvailable" }}
{{- $count = div (add (mul $n $pct) 99) 100 }}
{{- else }}
{{- $count = div (mul $n $pct) 100 }}
{{- end }}
{{- else }}
{{- $count = int $v }}
{{- end }}
{{- if and (eq .field "minAvailable") (ge (int $count) $n) }}
{{- printf "podDisruptionBudget.minAvailable (%v) keeps all %d replicas (%d would have to stay), so no pod could ever be evicted and node drains would hang: set podDisruptionBudget.minAvailable below the replica count (or null, to use maxUnavailable), or raise replicaCount" $v $n (int $count) }}
{{- else if and (eq .field "maxUnavailable") (lt (int $count) 1) }}
{{- printf "podDisruptionBudget.maxUnavailable (%v) allows %d of %d replicas to be evicted, so node drains would hang: set podDisruptionBudget.maxUnavailable to 1 or more" $v (int $count) $n }}
{{- end }}
{{- end }}

{{/* Refusals of combinations that render but break or expose an install. */}}
{{- define "vut.validateExtensions" -}}
{{- $v := .Values }}
{{- if and $v.tls.enabled (not (include "vut.tlsSecretName" .)) }}
{{- fail "tls.enabled needs tls.existingSecret (a kubernetes.io/tls Secret) or tls.certManager.enabled" }}
{{- end }}
{{- if $v.tls.enabled }}
{{- range $name, $probe := $v.probes }}
{{- if lt (int $probe.timeoutSeconds) (add (int $v.tls.reloadIntervalSeconds) 2 | int) }}
{{- fail (printf "probes.%s.timeoutSeconds (%d) must be at least tls.reloadIntervalSeconds + 2 (%d): across a certificate rotation the probe waits up to the reload interval for the server to serve the new certificate, then needs its handshake" $name (int $probe.timeoutSeconds) (add (int $v.tls.reloadIntervalSeconds) 2 | int)) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $v.tls.certManager.enabled (not $v.tls.enabled) }}
{{- fail "tls.certManager.enabled needs tls.enabled: the certificate is for the TLS listener" }}
{{- end }}
{{- if and $v.tls.certManager.enabled (not $v.tls.certManager.issuerRef.name) }}
{{- fail "tls.certManager.enabled needs tls.certManager.issuerRef.name: the Issuer or ClusterIssuer that signs the listener's certificate" }}
{{- end }}
{{- if and $v.issuance.clientCa.existingSecret (not $v.issuance.clientCa.probeClientSecret) (not $v.tls.certManager.enabled) (not $v.tls.servingCertificateHasClientAuth) }}
{{- fail "issuance.clientCa makes the probes present a client certificate, by default the serving certificate, which then needs the clientAuth extended key usage (public CAs and cert-manager's `usages: [server auth]` leave it out, and every probe would fail): set issuance.clientCa.probeClientSecret to a kubernetes.io/tls Secret with a client certificate from that CA, or use tls.certManager (the chart asks for `client auth`), or set tls.servingCertificateHasClientAuth=true if tls.existingSecret's certificate has it" }}
{{- end }}
{{- if $v.podDisruptionBudget.enabled }}
{{- $replicas := ternary $v.autoscaling.minReplicas $v.replicaCount $v.autoscaling.enabled }}
{{- $pdb := $v.podDisruptionBudget }}
{{- $reason := "" }}
{{- if not (kindIs "invalid" $pdb.minAvailable) }}
{{- $reason = include "vut.budgetBlocks" (dict "value" $pdb.minAvailable "replicas" $replicas "field" "minAvailable") }}
{{- else }}
{{- $reason = include "vut.budgetBlocks" (dict "value" $pdb.maxUnavailable "replicas" $replicas "field" "maxUnavailable") }}
{{- end }}
{{- with $reason }}
{{- fail . }}
{{- end }}
{{- end }}
{{- range $i, $rule := $v.networkPolicy.extraIngress }}
{{- if not $rule.from }}
{{- fail (printf "networkPolicy.extraIngress[%d] has no `from`, which admits every source to its ports, not only the peers NOTES names: list the peers in `from` (an explicit `ipBlock: {cidr: 0.0.0.0/0}` if every source is meant)" $i) }}
{{- end }}
{{- end }}
{{- $exposed := and (eq $v.service.type "LoadBalancer") (not $v.tls.enabled) (include "vut.tokenSecretName" .) (not $v.networkPolicy.enabled) (not $v.service.loadBalancerSourceRanges) }}
{{- if and $exposed (not $v.service.acknowledgeUnrestrictedPlaintextLoadBalancer) }}
{{- fail "service.type=LoadBalancer with a plaintext listener, the server's own Vercel token and no NetworkPolicy lets anyone who reaches the load balancer use the token: set service.loadBalancerSourceRanges (the clients' CIDRs), or tls.enabled with issuance.clientCa, or networkPolicy.enabled; or set service.acknowledgeUnrestrictedPlaintextLoadBalancer=true if the address is private and that is meant" }}
{{- end }}
{{- end }}
