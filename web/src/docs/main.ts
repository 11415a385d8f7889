// The gateway's API reference: Swagger UI (swagger-ui-dist, from the npm registry, bundled here:
// nothing is fetched from outside) on the merged document the build copies to /openapi.json.
import SwaggerUIBundle from "swagger-ui-dist/swagger-ui-es-bundle.js";
import "swagger-ui-dist/swagger-ui.css";
import "./docs.css";

SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  // Off: its links inside each operation's summary button are focusable controls inside a control (axe).
  deepLinking: false,
  // "Try it out" calls this gateway with the bearer token given under Authorize.
  tryItOutEnabled: false,
});
