package dev.tandem.api;

import dev.tandem.engine.Engine;

/** The served model name; a request naming another model gets 404 model_not_found, as OpenAI answers. */
final class ModelNames {
    private ModelNames() {}

    static String check(RequestFields f, Engine engine) {
        String model = f.requiredString("model");
        if (!model.equals(engine.config().modelName())) {
            throw new ApiException(
                    404,
                    "invalid_request_error",
                    "model",
                    "model_not_found",
                    "The model '" + model + "' does not exist; this server serves '"
                            + engine.config().modelName() + "'");
        }
        return model;
    }
}
