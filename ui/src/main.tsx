import React from "react";
import ReactDOM from "react-dom/client";
import { App } from "./App";
import { FirstLoad } from "./firstLoad";
import "./styles.css";

// Asked before React renders: the answers are on their way while the first frame is drawn.
const first = new FirstLoad();

ReactDOM.createRoot(document.getElementById("root")!).render(
  <React.StrictMode>
    <App first={first} />
  </React.StrictMode>,
);
