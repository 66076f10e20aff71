# frozen_string_literal: true

class ReminderMailWorker
  include Sidekiq::Job

  def perform(user_id)
    UserMailer.with(user_id: user_id).reminder.deliver_now
  end
end

class ReminderWorker
  include Sidekiq::Job

  def perform(user_id)
    user = User.find(user_id)
    return unless user.subscribed?

    batch = Sidekiq::Batch.new
    batch.jobs do
      ReminderMailWorker.perform_async(user.id) if user.daily?
      ReminderMailWorker.perform_async(user.manager_id)
    end
  end
end
