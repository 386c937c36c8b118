#!/usr/bin/env bash
# Prints hookyard-alerts.yaml as a PrometheusRule, for the Prometheus Operator:
#   bash deploy/prometheus/prometheus-rule.sh release=prometheus | kubectl apply -n hookyard -f -
# Each NAME=VALUE argument becomes a label of the resource: the Operator picks rules by the labels
# of its ruleSelector (kube-prometheus-stack's is `release: <its release name>`).
set -euo pipefail
rules="$(dirname "$0")/hookyard-alerts.yaml"

labels=""
for label in "$@"; do
  if [[ ! "$label" =~ ^([A-Za-z0-9][A-Za-z0-9./_-]*)=([A-Za-z0-9._-]*)$ ]]; then
    echo "prometheus-rule.sh: a label is NAME=VALUE (letters, digits, . _ -), not: $label" >&2
    exit 2
  fi
  labels+="    ${BASH_REMATCH[1]}: \"${BASH_REMATCH[2]}\""$'\n'
done

cat <<YAML
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: hookyard
  labels:
    app.kubernetes.io/name: hookyard
${labels}spec:
YAML
# The rule file's `groups:` becomes spec.groups: indented, its header comment left out.
sed -e '/^#/d' -e 's/^./  &/' "$rules"
