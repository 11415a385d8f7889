import { render } from "preact";

import "../shared/base.css";
import "./admin.css";
import { Console } from "./Console";

render(<Console />, document.getElementById("root")!);
