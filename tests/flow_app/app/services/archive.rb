# frozen_string_literal: true

# A second workflow, which the report's :success callback starts: the report's flow run
# follows it, since its starter runs inside that callback's Ruby.
class Archive
  def self.start(id, reason: "manual")
    Effects.write("archive", id, reason)
    batch = Sidekiq::Batch.new
    batch.on(:success, "Archive#archived", "id" => id)
    batch.jobs do
      ArchiveJob.perform_later(id, kind: :full)
    end
  end

  def archived(_status, options)
    Effects.write("archived", options["id"])
  end
end
