// Reading the input: YAML, manifests, settings, Kustomize, Helm, and what is not simulated.
import { DOCS, type CodeInfo } from './format';

export const INPUT_CODES = {
  'yaml-syntax': {
    severity: 'error',
    summary: 'The file is not valid YAML; this document is skipped, the others are still analysed.',
    docs: `${DOCS}/concepts/overview/working-with-objects/`,
    format: (p) => `YAML syntax error: ${p.reason}. Fix it to have this document simulated.`,
  },
  'yaml-limit': {
    severity: 'error',
    summary: 'The document exceeds a safety limit (alias count or expansion, or nesting depth) and is skipped.',
    docs: `${DOCS}/concepts/overview/working-with-objects/`,
    format: (p) => `Document skipped: ${p.reason}. Manifests never need this many aliases or this much nesting.`,
  },
  'helm-template': {
    severity: 'warning',
    summary: 'A Helm/Go template (`{{ }}`) cannot be simulated before it is rendered.',
    docs: 'https://helm.sh/docs/chart_template_guide/',
    format: () =>
      'This document is a Helm/Go template ({{ }}); it is not simulated. Render it (helm template) into the workspace to have it analysed.',
  },
  'file-skipped': {
    severity: 'warning',
    summary: 'A file was not read (too large, or binary).',
    docs: `${DOCS}/concepts/overview/working-with-objects/`,
    format: (p) => `File skipped: ${p.reason}.`,
  },
  'simulation-limit': {
    severity: 'warning',
    summary: 'The workspace asks for more pods or endpoints than the simulator models; the rest are left out.',
    docs: `${DOCS}/concepts/workloads/controllers/deployment/`,
    format: (p) =>
      `${p.workload} asks for ${p.wanted} ${p.what}, but only ${p.simulated} more fit under the simulator's limit of ${p.limit} ${p.what} per workspace; the rest, and the ${p.what} of the objects after it, are not simulated${p.cut ? ` (${p.cut})` : ''}. Diagnostics that depend on them (a Service without endpoints, a policy that selects nothing) are not reported there. ${p.hint}`,
  },
  'manifest-invalid': {
    severity: 'error',
    summary: 'A field has the wrong type or an invalid value; the API server would reject the object.',
    docs: `${DOCS}/reference/kubernetes-api/`,
    format: (p) => `${p.reason}`,
  },
  'settings-invalid': {
    severity: 'error',
    summary: 'A key of kube-netsim.yaml is unknown or has a bad value; the default is used instead.',
    docs: `${DOCS}/concepts/cluster-administration/networking/`,
    format: (p) => `${p.reason}`,
  },
  'duplicate-resource': {
    severity: 'error',
    summary: 'Two manifests define the same object; the one kubectl applies last replaces the other, so only it is simulated.',
    docs: `${DOCS}/concepts/overview/working-with-objects/names/`,
    format: (p) =>
      `${p.resource} is defined again in ${p.other}, which \`kubectl apply\` applies after this one and which replaces it: only that definition exists in the cluster, and only it is simulated. Rename or remove one of them.`,
  },
  'kustomize-unsupported': {
    severity: 'warning',
    summary: 'A Kustomize field that kube-netsim does not render; the simulation leaves out what it would produce or change.',
    docs: `${DOCS}/tasks/manage-kubernetes-objects/kustomization/`,
    format: (p) =>
      `${p.field} is not rendered by kube-netsim (${p.why}); the simulation leaves out what it would produce or change. To include it, render the overlay with \`kubectl kustomize ${p.dir}\` into a file and analyse that.`,
  },
  'kustomize-error': {
    severity: 'error',
    summary: 'A kustomization names a resource, base or patch that cannot be loaded or applied; `kustomize build` would fail.',
    docs: `${DOCS}/tasks/manage-kubernetes-objects/kustomization/`,
    format: (p) => `${p.reason}`,
  },
  'kustomize-not-rewritten': {
    severity: 'info',
    summary: 'namePrefix/nameSuffix renamed objects, and kube-netsim did not rewrite every reference to them that kustomize would.',
    docs: `${DOCS}/tasks/manage-kubernetes-objects/kustomization/#setting-cross-cutting-fields`,
    format: (p) =>
      `${p.field} renamed ${p.renamed}; kube-netsim did not rewrite the references to them in ${p.where}, as kustomize would. Those references do not change the simulated network.`,
  },
  'kustomize-not-selected': {
    severity: 'info',
    summary: 'A Kustomize overlay is in the input but not selected, so its files are simulated as written, without its patches.',
    docs: `${DOCS}/tasks/manage-kubernetes-objects/kustomization/`,
    format: (p) =>
      `Kustomize overlay ${p.dir} is not rendered: its files are simulated as written and its patches are left out. Select it (setting kubeNetsim.kustomizeOverlay, or \`kube-netsim analyze --kustomize ${p.dir}\`) to simulate the rendered overlay.`,
  },
  'helm-chart-not-rendered': {
    severity: 'warning',
    summary: 'A Helm chart (Chart.yaml) is not rendered, so its templates are not simulated.',
    docs: 'https://helm.sh/docs/helm/helm_template/',
    format: (p) =>
      `Helm chart ${p.chart} is not rendered${p.reason ? ` (${p.reason})` : ''}; its templates are not simulated. Run \`kube-netsim analyze --helm\` with helm on PATH, or write the output of \`helm template ${p.dir}\` into the workspace.`,
  },
  'kind-not-simulated': {
    severity: 'info',
    summary:
      'An object of a kind that shapes traffic (a service mesh, an ingress or gateway API, a CNI policy) that kube-netsim does not simulate.',
    docs: `${DOCS}/concepts/extend-kubernetes/api-extension/custom-resources/`,
    format: (p) =>
      `${p.kind} (${p.group}) is ${p.product}'s and decides ${p.effect}, but kube-netsim does not simulate it: the traces, connectivity matrix and diagnostics of this analysis leave out what it does, so a cluster running ${p.product} may answer differently.`,
  },
  'snapshot-settings-inferred': {
    severity: 'info',
    summary: 'The live objects of a cluster snapshot use address ranges other than the default; the simulation uses the ranges they imply.',
    docs: `${DOCS}/concepts/services-networking/cluster-ip-allocation/`,
    format: (p) =>
      `The cluster snapshot's ${p.what} lie outside the default ${p.setting} ${p.default}; simulating with ${p.setting} ${p.inferred} as they imply. Set ${p.setting} in kube-netsim.yaml to choose another.`,
  },
} satisfies Record<string, CodeInfo>;
