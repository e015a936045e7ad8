"""The OpenAPI document: only the partner API's own paths, with its token scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

SPECTACULAR_SETTINGS = {
    "TITLE": "Hearth partner API",
    "DESCRIPTION": (
        "For partner systems of the Stoke-on-Trent Domestic Abuse Partnership: send a referral "
        "and read the status of your agency's own referrals. Authenticate with your agency's token "
        "(`Authorization: Bearer hearth_...`), made by your agency admin in Hearth. Send an "
        "`Idempotency-Key` header with each new referral so a retry never makes a second one."
    ),
    "VERSION": "1.0.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["hearth.api.schema.only_partner_api"],
    "ENUM_NAME_OVERRIDES": {},
}


# The partner API's own paths (the directory's Open Referral UK API has its own document).
PARTNER_PATHS = ("/api/referrals/",)


def only_partner_api(endpoints):
    """Leave out any other app's REST views: this document describes the partner API only."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(PARTNER_PATHS)]


class AgencyTokenScheme(OpenApiAuthenticationExtension):
    target_class = "hearth.api.authentication.AgencyTokenAuthentication"
    name = "agencyToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "hearth_<prefix>_<secret>"}
