# frozen_string_literal: true

# Runs a Sidekiq Batch workflow for real and prints what happened, as ONE JSON
# document on stdout:
#
#   ruby tests/oracle/oracle.rb --root DIR --starter LABEL [--fail WORKER]... [--source FILE]...
#
# Real Sidekiq (OSS, in Sidekiq::Testing fake mode) pushes and runs the jobs;
# the Sidekiq Pro Batch API is reimplemented in lib/batch.rb and lib/engine.rb
# from the Sidekiq wiki pages "Batches" and "Really Complex Workflows with
# Batches". See tests/oracle/run_oracle.py for the Python side.

require "json"
require "logger"
require "optparse"

# Fixture code may print (`puts "reindex batch ... started"`): everything
# written to fd 1 goes to stderr, the report to the real stdout.
REPORT_OUT = STDOUT.dup
STDOUT.reopen(STDERR)

require "sidekiq"
require "sidekiq/testing"
Sidekiq::Testing.fake!
Sidekiq.logger = Logger.new($stderr, level: Logger::WARN)
Sidekiq.options[:on_complex_arguments] = nil # stand-ins are not native JSON; do not warn per push

%w[stand_ins constants core_ext records scheduler engine batch middleware active_job loader starter].each do |name|
  require_relative "lib/#{name}"
end

options = { root: nil, starter: nil, fail: [], sources: [], max_jobs: 300, max_callbacks: 300 }
OptionParser.new do |parser|
  parser.banner = "usage: oracle.rb --root DIR --starter LABEL [--fail WORKER]... [--source FILE]..."
  parser.on("--root DIR") { |dir| options[:root] = dir }
  parser.on("--starter LABEL") { |label| options[:starter] = label }
  parser.on("--fail WORKER") { |worker| options[:fail] << worker }
  parser.on("--source FILE") { |file| options[:sources] << file }
  parser.on("--max-jobs N", Integer) { |n| options[:max_jobs] = n }
  parser.on("--max-callbacks N", Integer) { |n| options[:max_callbacks] = n }
end.parse!(ARGV)

abort "oracle.rb: --starter is required" unless options[:starter]
abort "oracle.rb: give --root or --source" if options[:root].nil? && options[:sources].empty?

Oracle.engine = Oracle::Engine.new(fail: options[:fail], max_jobs: options[:max_jobs],
                                   max_callbacks: options[:max_callbacks])
loader = Oracle::Loader.new(options[:root])
loader.load_all(options[:sources])

starter_error = nil
Oracle.engine.in_context([]) do
  Oracle::Starter.call(options[:starter])
rescue Exception => e # a starter that raises still leaves what it pushed before
  starter_error = Oracle.engine.describe(e)
end
Oracle.engine.run

report = Oracle.engine.report.merge("load_errors" => loader.errors, "starter_error" => starter_error)
REPORT_OUT.write(JSON.generate(report))
REPORT_OUT.write("\n")
REPORT_OUT.flush
