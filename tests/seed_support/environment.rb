# frozen_string_literal: true

# The bridge's boot file for the seed pipeline test: the example's own (stand-ins included).
require_relative "../../fixtures/seed_pipeline/config/environment"
