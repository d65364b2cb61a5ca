// Saekdam's small hand-written layer: only what htmx cannot do (canvas mask editor, compare slider, uploads).
"use strict";
