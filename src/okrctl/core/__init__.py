"""Pure functions over the model: the graph, rules, periods, scoring, trends and forecasts.

Nothing here reads a file or runs git; history arrives as plain records (`okrctl.model.history`)."""
