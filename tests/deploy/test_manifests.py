"""Static checks of the Dockerfile, compose, Kubernetes and Grafana files (nothing is run)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from faust.web.apps import production_index, stats

from stream.settings import Settings
from stream.tables import TABLE_NAMES

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
DOCKERFILE = DEPLOY / "Dockerfile"
YAML_FILES = sorted(
    [
        COMPOSE_FILE,
        *K8S.glob("*.yaml"),
        *(DEPLOY / "prometheus").rglob("*.yml"),
        *(DEPLOY / "grafana").rglob("*.yml"),
    ]
)
WORKERS = ("worker-1", "worker-2")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def compose() -> dict[str, Any]:
    return load(COMPOSE_FILE)


def k8s(kind: str) -> dict[str, Any]:
    (document,) = [doc for path in K8S.glob("*.yaml") if (doc := load(path)).get("kind") == kind]
    return document


def worker_container() -> dict[str, Any]:
    (container,) = k8s("Deployment")["spec"]["template"]["spec"]["containers"]
    return container


def dockerfile_env() -> dict[str, str]:
    """The worker settings baked into the image (its other ENV lines are Python's)."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    pairs = [line.split()[1:] for line in text.splitlines() if line.startswith("ENV ")]
    env = dict(item.split("=", 1) for pair in pairs for item in pair)
    return {name: value for name, value in env.items() if name.startswith("LG_")}


def env_sources() -> dict[str, dict[str, str]]:
    """Every LG_* environment the deploy files set, by where it is set."""
    sources = {f"compose {name}": compose()["services"][name]["environment"] for name in WORKERS}
    sources["k8s configmap"] = k8s("ConfigMap")["data"]
    if "env" in worker_container():
        sources["k8s deployment"] = {e["name"]: e["value"] for e in worker_container()["env"]}
    sources["Dockerfile"] = dockerfile_env()
    return sources


def settings_for(env: dict[str, str]) -> Settings:
    """Settings as the worker would read them from this environment (defaults elsewhere)."""
    fields = {name.removeprefix("LG_").lower(): value for name, value in env.items()}
    return Settings(**fields)


def image_is_pinned(image: str) -> bool:
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and tag != "latest" and any(c.isdigit() for c in tag)


def project_version() -> str:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["project"]["version"]


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda path: str(path.relative_to(DEPLOY)))
def test_yaml_parses(path: Path) -> None:
    assert load(path)


def test_every_lg_env_name_is_a_settings_field() -> None:
    fields = set(Settings.model_fields)
    for source, env in env_sources().items():
        for name in env:
            assert name.startswith("LG_"), (source, name)
            assert name.removeprefix("LG_").lower() in fields, (source, name)


def test_every_lg_env_value_is_valid_for_settings() -> None:
    for source, env in env_sources().items():
        assert env, source
        settings_for(env)


def test_compose_worker_ports_match_their_settings() -> None:
    services = compose()["services"]
    host_ports: list[str] = []
    for name in WORKERS:
        settings = settings_for(services[name]["environment"])
        assert settings.web_host == "0.0.0.0", name
        container_ports = {int(mapping.rsplit(":", 1)[1]) for mapping in services[name]["ports"]}
        assert container_ports == {settings.metrics_port, settings.web_port}, name
        host_ports += [mapping.rsplit(":", 1)[0] for mapping in services[name]["ports"]]
        healthcheck = " ".join(services[name]["healthcheck"]["test"])
        assert f":{settings.web_port}/" in healthcheck, name
    assert len(host_ports) == len(set(host_ports))


def test_prometheus_scrapes_each_compose_worker_on_its_metrics_port() -> None:
    services = compose()["services"]
    config = load(DEPLOY / "prometheus" / "prometheus.yml")
    (job,) = config["scrape_configs"]
    targets = {t for group in job["static_configs"] for t in group["targets"]}
    expected = {
        f"{name}:{settings_for(services[name]['environment']).metrics_port}" for name in WORKERS
    }
    assert targets == expected


def test_compose_creates_every_topic_and_changelog_with_the_worker_partitions() -> None:
    script = compose()["services"]["topic-init"]["command"][0]
    created = {
        topic: (int(partitions), compact)
        for topic, partitions, compact in re.findall(
            r"create (\S+) --partitions (\d+)( --config cleanup\.policy=compact)?", script
        )
    }
    defaults = Settings()
    compact = " --config cleanup.policy=compact"
    expected = {
        defaults.topic_listings: (defaults.partitions, ""),
        defaults.topic_outcomes: (defaults.partitions, ""),
        defaults.topic_candidates: (defaults.partitions, ""),
        defaults.topic_dead_letters: (defaults.partitions, ""),
        defaults.topic_registry: (1, compact),
        **{
            f"{defaults.app_id}-{table}-changelog": (defaults.partitions, compact)
            for table in TABLE_NAMES
        },
    }
    assert created == expected


def test_compose_mounts_the_registry_and_rules_where_settings_read_them() -> None:
    services = compose()["services"]
    for name in WORKERS:
        settings = settings_for(services[name]["environment"])
        mounts = dict(volume.split(":")[1::-1] for volume in services[name]["volumes"])
        for wanted in (settings.registry_path, settings.rules_path):
            assert wanted is not None
            source = mounts[str(PurePosixPath(wanted).parent)]
            assert (DEPLOY / source / PurePosixPath(wanted).name).is_file(), (name, wanted)
        assert str(settings.data_dir) in mounts, name


def test_compose_mounts_only_files_that_exist() -> None:
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), (name, source)


def test_grafana_provisioning_points_at_compose_paths() -> None:
    services = compose()["services"]
    grafana_mounts = dict(volume.split(":")[1::-1] for volume in services["grafana"]["volumes"])
    (provider,) = load(DEPLOY / "grafana/provisioning/dashboards/listing-guard.yml")["providers"]
    assert grafana_mounts[provider["options"]["path"]] == "./grafana/dashboards"
    (datasource,) = load(DEPLOY / "grafana/provisioning/datasources/prometheus.yml")["datasources"]
    assert datasource["url"] == "http://prometheus:9090"
    assert "9090:9090" in services["prometheus"]["ports"]


def test_images_are_named_and_pinned() -> None:
    images = [service["image"] for service in compose()["services"].values()]
    images += [worker_container()["image"]]
    images += re.findall(r"^FROM (\S+)", DOCKERFILE.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(images) == len(compose()["services"]) + 2
    for image in images:
        assert image_is_pinned(image), image


def test_worker_image_tag_is_the_project_version() -> None:
    version = project_version()
    for name in WORKERS:
        assert compose()["services"][name]["image"] == f"listing-guard:{version}"
    (override,) = load(K8S / "kustomization.yaml")["images"]
    assert override == {"name": "listing-guard", "newTag": version}


def test_dockerfile_runs_the_worker_on_the_ports_it_exposes() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    settings = settings_for(dockerfile_env())
    exposed = {int(port) for port in re.findall(r"^EXPOSE (.+)$", text, re.MULTILINE)[0].split()}
    assert exposed == {settings.web_port, settings.metrics_port}
    assert 'ENTRYPOINT ["listing-guard"]' in text and 'CMD ["worker"]' in text
    for source in re.findall(r"^COPY (.+) \S+$", text, re.MULTILINE):
        for path in source.split():
            assert (REPO / path).exists(), f"Dockerfile copies missing {path}"


def test_faust_serves_the_probe_path() -> None:
    """Faust mounts either its production index or its stats view at /: both answer GET /."""
    assert "/" in {route.uri for route in production_index.blueprint.routes}
    assert "/" in {route.uri for route in stats.blueprint.routes}


def test_k8s_probes_target_the_web_port() -> None:
    container = worker_container()
    settings = settings_for(k8s("ConfigMap")["data"])
    assert settings.web_host == "0.0.0.0"
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"web": settings.web_port, "metrics": settings.metrics_port}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = container[probe]["httpGet"]
        assert ports.get(check["port"], check["port"]) == settings.web_port, probe
        assert check["path"] == "/", probe


def test_k8s_metrics_are_announced_and_served_on_the_metrics_port() -> None:
    settings = settings_for(k8s("ConfigMap")["data"])
    annotations = k8s("Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert int(annotations["prometheus.io/port"]) == settings.metrics_port
    assert annotations["prometheus.io/path"] == "/metrics"
    ports = {port["name"]: port for port in k8s("Service")["spec"]["ports"]}
    assert ports["metrics"]["port"] == settings.metrics_port
    container_ports = {port["name"] for port in worker_container()["ports"]}
    assert {port["targetPort"] for port in ports.values()} <= container_ports


def test_k8s_deployment_shape() -> None:
    deployment = k8s("Deployment")
    assert deployment["spec"]["replicas"] == 3
    assert "namespace" not in deployment["metadata"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    assert selector.items() <= k8s("Service")["spec"]["selector"].items()
    resources = worker_container()["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
    assert worker_container()["envFrom"] == [
        {"configMapRef": {"name": k8s("ConfigMap")["metadata"]["name"]}}
    ]


def test_kustomization_files_exist() -> None:
    kustomization = load(K8S / "kustomization.yaml")
    for resource in kustomization["resources"]:
        assert (K8S / resource).is_file(), resource
    for generator in kustomization["configMapGenerator"]:
        for entry in generator["files"]:
            assert (K8S / entry.split("=", 1)[-1]).is_file(), entry


def test_k8s_mounts_the_generated_files_where_settings_read_them() -> None:
    settings = settings_for(k8s("ConfigMap")["data"])
    (generator,) = load(K8S / "kustomization.yaml")["configMapGenerator"]
    keys = {entry.split("=", 1)[0] for entry in generator["files"]}
    pod = k8s("Deployment")["spec"]["template"]["spec"]
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    mounts = {mount["mountPath"]: mount["name"] for mount in worker_container()["volumeMounts"]}
    for wanted in (settings.registry_path, settings.rules_path):
        assert wanted is not None
        volume = volumes[mounts[str(PurePosixPath(wanted).parent)]]
        assert volume["configMap"]["name"] == generator["name"]
        assert PurePosixPath(wanted).name in keys
    assert str(settings.data_dir) in mounts
