"""The OpenAPI 3.1 description served at ``/openapi.json`` (written by hand: the app has five routes)."""

_ERROR = {"description": "One-line error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_ERRORS = {"400": _ERROR, "401": _ERROR, "413": _ERROR, "415": _ERROR, "422": _ERROR, "504": _ERROR}
_TEXT_BODY = {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TextRequest"}}}}

SCHEMA = {
    "openapi": "3.1.0",
    "info": {"title": "redact serve", "version": "1",
             "description": "Find and remove personal identifiers from text and documents (TXT, DOCX, PDF, images). "
                            "Authorization: Bearer TOKEN when the server was started with --token."},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
            "TextRequest": {"type": "object", "required": ["text"], "additionalProperties": False, "properties": {
                "text": {"type": "string"},
                "style": {"enum": ["mask", "label", "pseudonym"], "description": "default: the server's --style"},
                "allow": {"type": "array", "items": {"type": "string"},
                          "description": "rules never redacted (one term or re:REGEX each), beside the server's"},
                "deny": {"type": "array", "items": {"type": "string"},
                         "description": "rules always redacted ('[LABEL] term' sets the label), beside the server's"}}},
            "Span": {"type": "object", "required": ["start", "end", "label", "score"], "properties": {
                "start": {"type": "integer", "description": "character offset (Unicode code points)"},
                "end": {"type": "integer"}, "label": {"type": "string"}, "score": {"type": "number"}}},
            "Spans": {"type": "object", "properties": {"spans": {"type": "array", "items": {"$ref": "#/components/schemas/Span"}}}},
            "Redacted": {"type": "object", "properties": {
                "text": {"type": "string"}, "spans": {"type": "array", "items": {"$ref": "#/components/schemas/Span"}}}},
            "FileReport": {"type": "object", "properties": {
                "filename": {"type": "string"}, "media_type": {"type": "string"},
                "report": {"type": "object", "description": "the JSON report `redact run` writes (quotes removed text)"},
                "file": {"type": "string", "contentEncoding": "base64"}}},
        }},
    "security": [{"bearer": []}],
    "paths": {
        "/v1/redact": {"post": {"summary": "Redact a text", "requestBody": _TEXT_BODY, "responses": {
            "200": {"description": "Redacted text and spans",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Redacted"}}}}, **_ERRORS}}},
        "/v1/spans": {"post": {"summary": "Spans of a text only", "requestBody": _TEXT_BODY, "responses": {
            "200": {"description": "Spans (as `redact run --jsonl`)",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Spans"}}}}, **_ERRORS}}},
        "/v1/redact/file": {"post": {
            "summary": "Redact a file (PDF, DOCX, TXT, MD, PNG, JPEG, TIFF); the output is verified like `redact run`",
            "parameters": [
                {"name": "report", "in": "query", "schema": {"type": "boolean"},
                 "description": "1: JSON with the report and the file in base64 (the report quotes removed text)"},
                {"name": "style", "in": "query", "schema": {"enum": ["mask", "label", "pseudonym"]}}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}}}}}},
            "responses": {"200": {"description": "The redacted file (same bytes as `redact run`), or with report=1 JSON",
                                  "content": {"application/octet-stream": {},
                                              "application/json": {"schema": {"$ref": "#/components/schemas/FileReport"}}}},
                          "408": _ERROR, **_ERRORS}}},
        "/v1/health": {"get": {"summary": "Liveness and queue counters (no token needed)", "security": [],
                               "responses": {"200": {"description": "ok"}}}},
        "/v1/models": {"get": {"summary": "The loaded model, its settings, styles, formats and limits",
                               "responses": {"200": {"description": "ok"}, "401": _ERROR}}},
    },
}
