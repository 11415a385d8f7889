import subprocess
from pathlib import Path

import pytest

from scoremate_stack.config import (
    DEV_PORTS,
    SERVICES,
    STORAGE_SERVICES,
    TEST_PORTS,
    StackConfig,
    parse_cors_origins,
)
from scoremate_stack.gateway import (
    COMPOSE_CONFIG,
    render_compose_gateway_config,
    render_gateway_config,
    write_gateway_config,
)
from scoremate_stack.infra import s3_identities, seaweedfs_actions, storage_policy


def _all_ports(ports) -> list[int]:
    values = [
        ports.gateway,
        ports.postgres,
        ports.amqp,
        ports.amqp_dist,
        ports.epmd,
        ports.s3,
        ports.weed_master,
        ports.weed_volume,
        ports.weed_filer,
        ports.weed_admin,
        ports.prometheus,
        ports.amqp_metrics,
        *ports.services.values(),
        *(port + 10 for port in ports.services.values()),  # second instances
    ]
    weed = [ports.s3, ports.weed_master, ports.weed_volume, ports.weed_filer, ports.weed_admin]
    return values + [port + 10000 for port in weed]  # SeaweedFS's gRPC ports


def test_dev_and_test_ports_never_collide_and_avoid_the_rabbitmq_cli_range():
    dev, test = _all_ports(DEV_PORTS), _all_ports(TEST_PORTS)
    assert len(set(dev)) == len(dev)
    assert len(set(test)) == len(test)
    assert not set(dev) & set(test)
    assert all(not 35672 <= port <= 35682 and port < 65536 for port in dev + test)


def test_service_env_gives_each_service_its_own_role_and_schema(tmp_path: Path):
    cfg = StackConfig.for_tests(tmp_path, extra_env={"processor": {"JOB_TIMEOUT_SECONDS": "5"}})
    files = cfg.service_env("files")
    assert files["DB_SCHEMA"] == "files"
    assert files["DATABASE_URL"].startswith("postgresql+asyncpg://files:")
    assert files["S3_PUBLIC_ENDPOINT_URL"] == f"http://127.0.0.1:{TEST_PORTS.gateway}/s3"
    assert cfg.service_env("processor")["JOB_TIMEOUT_SECONDS"] == "5"
    assert "JOB_TIMEOUT_SECONDS" not in files
    # The upload-token secret is generated once and then stable for the run folder.
    assert files["UPLOAD_TOKEN_SECRET"] == cfg.service_env("library")["UPLOAD_TOKEN_SECRET"]
    assert len(files["UPLOAD_TOKEN_SECRET"]) >= 32


def test_rendered_gateway_config_fills_every_placeholder_and_passes_nginx_t(tmp_path: Path):
    cfg = StackConfig.for_tests(tmp_path)
    text = render_gateway_config(cfg)
    assert "{{" not in text
    assert f"listen 127.0.0.1:{TEST_PORTS.gateway};" in text
    assert f"server 127.0.0.1:{TEST_PORTS.services['library']};" in text
    assert "server library:8000;" not in text
    conf = write_gateway_config(cfg)
    cfg.log_dir.mkdir(parents=True, exist_ok=True)
    check = subprocess.run(
        [
            "/usr/sbin/nginx",
            "-t",
            "-q",
            "-p",
            str(conf.parent),
            "-c",
            str(conf),
            "-e",
            str(cfg.log_dir / "e.log"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_shifted_test_ports_keep_clear_of_dev_ports_and_of_each_other(tmp_path: Path):
    dev = set(_all_ports(DEV_PORTS))
    seen: set[int] = set()
    for offset in (0, 100, 200, 300, 400):
        ports = _all_ports(StackConfig.for_tests(tmp_path, port_offset=offset).ports)
        assert not set(ports) & dev
        assert not set(ports) & seen
        assert all(not 35672 <= port <= 35682 for port in ports)
        seen |= set(ports)


def test_the_gateway_rate_limits_login_and_register_per_client_address(tmp_path: Path):
    text = render_gateway_config(StackConfig.dev())
    assert "limit_req_zone $binary_remote_addr zone=credentials:10m rate=10r/s;" in text
    for path in ("/auth/login", "/auth/register"):
        block = text.split(f"location = {path} {{", 1)[1].split("}", 1)[0]
        assert "limit_req zone=credentials burst=20 nodelay;" in block
    assert "limit_req_status 429;" in text


def test_the_committed_compose_gateway_is_the_rendered_template():
    """Run `python -m scoremate_stack render-compose-gateway` after changing the template."""
    assert COMPOSE_CONFIG.read_text() == render_compose_gateway_config()
    assert "server library:8000;" in COMPOSE_CONFIG.read_text()


def test_each_storage_service_has_its_own_identity_and_the_others_none(tmp_path: Path):
    cfg = StackConfig.for_tests(tmp_path)
    keys = {service: cfg.service_env(service)["S3_ACCESS_KEY"] for service in STORAGE_SERVICES}
    assert len(set(keys.values())) == len(STORAGE_SERVICES)
    assert cfg.s3_access_key not in keys.values()  # the admin's is the stack runner's only
    # Since exports, auth and billing write their parts of an archive: every service has one.
    assert set(STORAGE_SERVICES) == set(SERVICES)
    identities = s3_identities(cfg)["identities"]
    assert [i["name"] for i in identities] == ["admin", *STORAGE_SERVICES]
    with pytest.raises(ValueError, match="no storage identity"):
        cfg.storage_credentials("gateway")


def test_the_storage_policies_become_seaweedfs_actions_of_the_services_only():
    uuid = "????????-????-????-????-????????????"
    score = f"scores/{uuid}/scores/{uuid}"
    assert seaweedfs_actions(storage_policy("files")) == [
        "Read:scores/*",
        "Write:scores/*",
        "List:scores",
        "Read:scores/staging/*",
        "Write:scores/staging/*",
        "Read:scores",
    ]
    parts = f"scores/exports/{uuid}/{uuid}/*/parts"
    assert seaweedfs_actions(storage_policy("library")) == [
        f"Read:{score}/cover.jpg",
        f"Write:{parts}/library.json",
        f"Write:{parts}/setlists.json",
    ]
    assert seaweedfs_actions(storage_policy("processor")) == [
        f"Read:{score}/original.pdf",
        f"Write:{score}/cover.jpg",
        f"Write:{score}/thumbs/page-*.jpg",
        f"Write:{score}/layout.json",
    ]
    identities = s3_identities(StackConfig.dev())["identities"]
    assert [i["name"] for i in identities if "Admin" in i["actions"]] == ["admin"]
    # Listing (of anything) is files' alone among the services: the bucket holds every user's objects.
    listing = [i["name"] for i in identities if any(a.startswith("List") for a in i["actions"])]
    assert listing == ["admin", "files"]


def test_exports_reads_and_writes_its_own_prefixes_and_reads_originals_only():
    uuid = "????????-????-????-????-????????????"
    own = ("scores/exports/*", "scores/imports/*", "scores/reports/*")
    # Multipart uploads there: aborting is SeaweedFS's Write, listing an upload's parts its Read.
    assert seaweedfs_actions(storage_policy("exports")) == [
        *(f"Read:{prefix}" for prefix in own),
        *(f"Write:{prefix}" for prefix in own),
        f"Read:scores/{uuid}/scores/{uuid}/original.pdf",
    ]


def test_auth_and_billing_may_only_put_their_part_of_an_export():
    uuid = "????????-????-????-????-????????????"
    parts = f"scores/exports/{uuid}/{uuid}/*/parts"
    assert seaweedfs_actions(storage_policy("auth")) == [f"Write:{parts}/profile.json"]
    assert seaweedfs_actions(storage_policy("billing")) == [f"Write:{parts}/billing.json"]


def test_sync_may_read_covers_only_as_library_does():
    covers = [a for a in seaweedfs_actions(storage_policy("library")) if a.startswith("Read:")]
    assert seaweedfs_actions(storage_policy("sync")) == covers


def test_the_gateway_answers_cors_for_the_configured_origins_only(tmp_path: Path):
    none = render_gateway_config(StackConfig.for_tests(tmp_path))
    assert "# none: no browser may call the API" in none
    assert 'add_header Vary "" always;' in none  # an empty header is not sent
    some = render_gateway_config(StackConfig.for_tests(tmp_path, cors_origins=("https://app.example.com",)))
    assert '"https://app.example.com" $http_origin;' in some
    assert 'add_header Vary "Origin" always;' in some
    # Parsed from SCOREMATE_CORS_ORIGINS; anything but a bare origin never reaches the file.
    assert parse_cors_origins(" https://A.example.com/, http://localhost:3000,,") == (
        "https://a.example.com",
        "http://localhost:3000",
    )
    for hostile in ('https://a.example" $x; }', "https://a.example/path", "javascript:alert(1)"):
        with pytest.raises(ValueError, match="not a CORS origin"):
            parse_cors_origins(hostile)


def test_the_verification_email_links_to_the_stacks_own_page(tmp_path: Path):
    cfg = StackConfig.for_tests(tmp_path, port_offset=30)
    link = cfg.service_env("auth")["EMAIL_VERIFICATION_LINK"]
    assert link == f"{cfg.gateway_url}/verify-email?token={{token}}"
