"""The sandbox Identity Center: IAM Identity Center's ``sso-oidc`` and ``sso`` portal
wire protocols, served by the sandbox server in front of moto (which has neither).

Design decision: botocore's own ``sso-oidc`` and ``sso`` clients must work against
it unchanged, so it speaks exactly the modeled rest-json protocol (paths, fields,
``x-amzn-ErrorType`` error codes and statuses); everything else about Identity
Center (directory, permission sets, assignments) is the smallest model that makes
the device flow and role credentials real. Role credentials are moto STS
credentials for ``AWSReservedSSO_<set>_<suffix>`` roles, so they are authorized by
moto's IAM enforcement like any other principal. See docs/sandbox.md.

Parts: ``state`` (the directory, clients, authorizations and tokens; no HTTP),
``oidc`` and ``portal`` (the two APIs), ``verification`` (the HTML sign-in page),
``app`` (the WSGI front that routes to them or to moto) and ``seed`` (the client
side: create the roles in moto and configure the server).
"""
