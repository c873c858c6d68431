"""The development OpenID provider of ``make run`` (tools/oidc-provider: node-oidc-provider
with demo identities): its settings for the gateway and the command that starts it.

The client secret and the subject-hash salt are development keys kept in
var/secrets.env like the others; an environment that already names OIDC_PROVIDERS
(a real provider) is left alone and no development provider starts.
"""
import os
import shutil

PORT = 8095
NAME = "devid"


def configure(env, root, write_keys, say):
    """Add the provider's settings to ``env``; the argv that starts it, or ``None`` (with the reason said)."""
    if env.get("OIDC_PROVIDERS"):
        return None
    tool = os.path.join(root, "tools", "oidc-provider")
    if not shutil.which("node") or not os.path.isdir(os.path.join(tool, "node_modules")):
        say("no development OpenID provider: node or tools/oidc-provider/node_modules is missing "
            "(sh scripts/install_tools.sh installs it); sign-in with an identity provider is off")
        return None
    keys = write_keys([f"OIDC_{NAME.upper()}_CLIENT_SECRET", "OIDC_SUBJECT_SALT"])
    port = int(env.get("OIDC_DEV_PORT", PORT))
    public = env.get("PUBLIC_URL") or f"http://localhost:{env.get('HTTP_PORT', 8000)}"
    prefix = f"OIDC_{NAME.upper()}_"
    env.update({
        "OIDC_PROVIDERS": NAME,
        prefix + "ISSUER": f"http://localhost:{port}",
        prefix + "CLIENT_ID": "samskab-dev",
        prefix + "CLIENT_SECRET": keys[prefix + "CLIENT_SECRET"],
        prefix + "LABEL": "Demo-ID",
        prefix + "SCOPE": "openid email profile residence",
        prefix + "RESIDENCE_CLAIM": "municipality_code",
        "OIDC_SUBJECT_SALT": keys["OIDC_SUBJECT_SALT"],
        "OIDC_DEV_PORT": str(port),
        "OIDC_DEV_CLIENT_ID": "samskab-dev",
        "OIDC_DEV_CLIENT_SECRET": keys[prefix + "CLIENT_SECRET"],
        "OIDC_DEV_REDIRECT_URIS": f"{public.rstrip('/')}/auth/oidc/{NAME}/callback",
    })
    say(f"development OpenID provider 'Demo-ID' at http://localhost:{port} (demo identities: anna, jens, kari, ola)")
    return ["node", os.path.join(tool, "server.js")]
